import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { codeFiles } from "../../scripts/check-line-length.js";

/**
 * The benchmark, the demo and the dev tools start the app by a source path (`"src/entry/server/main.ts"`), and no
 * test runs the whole benchmark: a module that moves must not leave a tool pointing at its old path (the burst did,
 * after the layers moved). `dist/X.js` stands for `src/X.ts`.
 */
const ROOT = new URL("../../", import.meta.url).pathname;
const PATH = /["'`]((?:src|dist)\/[\w./-]+\.(?:ts|js|mjs))["'`]/g;

function namedSourcePaths(): Array<{ file: string; path: string }> {
  return codeFiles(ROOT, ["bench", "scripts", "dev"]).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(PATH)].map((m) => ({ file: relative(ROOT, file), path: m[1] })),
  );
}

const sourceOf = (path: string) => (path.startsWith("dist/") ? `src/${path.slice(5).replace(/\.m?js$/, ".ts")}` : path);

describe("paths the tools name", () => {
  it("finds the server's entry point among them (the check reads the files it should)", () => {
    expect(namedSourcePaths().map((p) => p.path)).toContain("src/entry/server/main.ts");
  });

  it("every src/ or dist/ path named in bench/, scripts/ or dev/ has its source file", () => {
    const missing = namedSourcePaths().filter((p) => !existsSync(join(ROOT, sourceOf(p.path))));
    expect(missing).toEqual([]);
  });
});
