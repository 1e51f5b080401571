// jest globalSetup: build dist/ once, so end-to-end tests start the server as `npm start` does
// (node dist/entry/server/main.js).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function buildServer() {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
