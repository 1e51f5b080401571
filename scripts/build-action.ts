// Bundles the GitHub Action (src/entry/action/main.ts and everything it imports, node_modules included) into one ESM
// file, action/dist/main.mjs, committed so the Action starts without `npm ci` or a build. `npm test` rebuilds it into a
// temporary folder and fails when the committed file differs. Usage: tsx scripts/build-action.ts [OUTFILE]
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const ACTION_BUNDLE = "action/dist/main.mjs";

// The bundle is ESM (the app is), but some dependencies are CommonJS and call require() or read __dirname.
const BANNER = [
  'import { createRequire as __createRequire } from "node:module";',
  'import { fileURLToPath as __fileURLToPath } from "node:url";',
  'import { dirname as __pathDirname } from "node:path";',
  "const require = __createRequire(import.meta.url);",
  "const __filename = __fileURLToPath(import.meta.url);",
  "const __dirname = __pathDirname(__filename);",
].join("\n");

/** Writes the bundle to `outfile` (default: the committed one). Deterministic for the same sources and lock file. */
export async function buildAction(outfile: string = `${root}/${ACTION_BUNDLE}`): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ["src/entry/action/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    banner: { js: BANNER },
    legalComments: "none",
    logLevel: "warning",
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildAction(process.argv[2]);
