// jest globalSetup: build dist/ once, so end-to-end tests start the server as `npm start` does
// (node dist/entry/server/main.js).
// `--noCheck`: tsc emits the same files without type-checking them again (`npm test` runs `tsc --noEmit` first).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function buildServer() {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const tsc = `${root}/node_modules/typescript/bin/tsc`;
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noCheck"], { cwd: root, stdio: "inherit" });
}
