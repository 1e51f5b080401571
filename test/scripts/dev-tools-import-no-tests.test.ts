/**
 * The development tools (dev/: the stand-ins, the scenario, the app-server starter; scripts/: the demo and the doc
 * generators; bench/) are used by the tests, never the other way round: none of them imports anything under test/,
 * so `npm run demo` and `npm run bench` do not depend on jest's helpers.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { codeFiles } from "../../scripts/check-line-length.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOOL_FOLDERS = ["dev", "scripts", "bench"];

/**
 * The imports of `file` (relative to the repository) that land under test/: static and dynamic imports, `import type`,
 * `export … from` and `require`, as TypeScript reads them (not a regular expression over comments and strings).
 */
function importsOfTests(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .filter((specifier) => /^test(\/|$)/.test(join(dirname(file), specifier)))
    .map((specifier) => `${file} imports ${specifier}`);
}

describe("dev/, scripts/ and bench/ import nothing from test/", () => {
  it("finds every form of import that reaches test/, and only those", () => {
    const source = [
      'import { a } from "../../test/support/a.js";',
      'import type { B } from "../../test/fixtures/b.js";',
      'export { c } from "../../test/c.js";',
      'const d = await import("../../test/support/d.js");',
      'const e = require("../../test/e.cjs");',
      'import "../../test/setup.js";',
      'import { ok } from "../cloud-run-fixtures.js";',
      'import { src } from "../../src/domain/x.js";',
      'import { nested } from "../test/under-dev.js";',
      'import { pkg } from "test";',
      'import { notTest } from "../../tests-elsewhere/x.js";',
      '// import { commented } from "../../test/comment.js";',
      'const text = "../../test/in-a-string.js";',
    ].join("\n");
    expect(importsOfTests("dev/sub/tool.ts", source)).toEqual(
      ["support/a.js", "fixtures/b.js", "c.js", "support/d.js", "e.cjs", "setup.js"].map(
        (path) => `dev/sub/tool.ts imports ../../test/${path}`,
      ),
    );
  });

  it("holds in this repository", () => {
    const files = codeFiles(ROOT, TOOL_FOLDERS);
    expect(files).toEqual(expect.arrayContaining(["scripts/demo.ts", "bench/run-bench.ts", "dev/app-server.ts"]));
    expect(files.flatMap((file) => importsOfTests(file, readFileSync(join(ROOT, file), "utf8")))).toEqual([]);
  });
});
