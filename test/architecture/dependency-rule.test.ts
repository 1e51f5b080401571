import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * The dependency rule (`npm run deps`, in `npm test`) passes on `src/` only if it would fail on a violation: each
 * case plants a small tree in a temporary folder and runs dependency-cruiser on it with the project's own config.
 */
const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = join(ROOT, ".dependency-cruiser.mjs");
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "deps-rule-"));
  try {
    const tsconfig = { compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true } };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(process.execPath, [DEPCRUISE, "src", "--config", CONFIG, "--output-type", "err"], {
      cwd: dir,
      encoding: "utf8",
    });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the dependency rule", () => {
  it("passes a tree that imports inward only", () => {
    const r = cruise({
      "src/domain/a.ts": "export const a = 1;\n",
      "src/rendering/b.ts": 'import { a } from "../domain/a.js";\nexport const b = a;\n',
      "src/entry/main.ts": 'import { b } from "../rendering/b.js";\nexport const m = b;\n',
    });
    expect(r.out).not.toMatch(/error/);
    expect(r.status).toBe(0);
  });

  it.each([
    [
      "an inner layer importing an outer one",
      {
        "src/domain/a.ts": 'import { e } from "../entry/e.js";\nexport const a = e;\n',
        "src/entry/e.ts": "export const e = 1;\n",
      },
      "domain-imports-inward-only",
    ],
    [
      "a cycle inside one layer",
      {
        "src/domain/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
        "src/domain/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      },
      "no-circular",
    ],
    [
      "a file outside the layers",
      {
        "src/helpers.ts": 'import { a } from "./domain/a.js";\nexport const h = a;\n',
        "src/domain/a.ts": "export const a = 1;\n",
      },
      "every-file-in-a-layer",
    ],
    [
      "app code importing a development tool",
      {
        "src/adapters/x.ts": 'import { s } from "../../dev/standin.js";\nexport const x = s;\n',
        "dev/standin.ts": "export const s = 1;\n",
      },
      "app-code-not-from-tools",
    ],
  ])("fails on %s", (_name, files, rule) => {
    const r = cruise(files);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(rule);
  });
});
