import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findLongLines, longLines } from "../../scripts/check-line-length.js";

describe("check-line-length (part of npm run lint)", () => {
  it("counts characters, not bytes: 120 columns pass, 121 fail, with the file and line", () => {
    const ok = "→".repeat(120);
    expect(longLines("a.ts", `${ok}\n${"x".repeat(121)}\r\n${ok}`)).toEqual([{ file: "a.ts", line: 2, columns: 121 }]);
  });

  it("looks at code in the given folders, and not at snapshots, Markdown or node_modules", () => {
    const root = mkdtempSync(join(tmpdir(), "line-length-"));
    try {
      const long = "y".repeat(121);
      const write = (path: string) => {
        mkdirSync(join(root, path, ".."), { recursive: true });
        writeFileSync(join(root, path), `short\n${long}\n`);
      };
      for (const path of ["src/x.ts", "test/deep/y.test.ts", "bench/z.mjs", "other/w.ts"]) write(path);
      for (const path of ["test/__snapshots__/y.test.ts.snap", "src/README.md", "src/node_modules/m/i.js"]) write(path);
      expect(findLongLines(root, ["src", "test", "bench", "dev"]).map((l) => `${l.file}:${l.line}`)).toEqual([
        "src/x.ts:2",
        "test/deep/y.test.ts:2",
        "bench/z.mjs:2",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("finds no line over 120 columns in this repository", () => {
    expect(findLongLines(fileURLToPath(new URL("../../", import.meta.url)))).toEqual([]);
  });
});
