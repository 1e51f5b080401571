import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { headingAnchors, linkTargets, listBrokenLinks, listMissingPaths } from "../../scripts/check-doc-links.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const docs = readdirSync(join(root, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
const readme = readFileSync(join(root, "README.md"), "utf8");

test("every page of docs/ is linked from the README", () => {
  const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
  expect(docs.filter((page) => !linked.has(page))).toEqual([]);
  expect(docs.length).toBeGreaterThanOrEqual(12);
});

test("every relative link and anchor in the README and docs/ resolves", () => {
  expect(listBrokenLinks(root, ["README.md", ...docs])).toEqual([]);
});

test("every project file the README and docs/ name (`src/...`, `test/...`, ...) exists", () => {
  expect(listMissingPaths(root, ["README.md", ...docs])).toEqual([]);
});

test("a named file that moved is reported; wildcards and placeholders name no one file", () => {
  const dir = mkdtempSync(join(tmpdir(), "doc-paths-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "here.ts"), "");
  writeFileSync(
    join(dir, "README.md"),
    "`src/here.ts`, `src/here.ts:12`, `src/gone.ts`, `test/*.test.ts`, `src/{a,b}.ts`, `templates/NAME.md`, `dist/x`\n",
  );
  expect(listMissingPaths(dir, ["README.md"])).toEqual(["README.md: src/gone.ts"]);
});

test("the README fits a screen's worth of reading: at most 12 KiB (details belong in docs/)", () => {
  expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
});

test("anchors are GitHub's: lower case, punctuation dropped, spaces to dashes, repeats numbered", () => {
  const anchors = headingAnchors(
    [
      "# Command line: `config-triage`",
      "## Running at scale: delivery, queue and Redis",
      "## [Linked](x.md) *heading*",
      "## Notes",
      "## Notes",
      "```sh",
      "# a shell comment, no heading",
      "```",
    ].join("\n"),
  );
  expect([...anchors]).toEqual([
    "command-line-config-triage",
    "running-at-scale-delivery-queue-and-redis",
    "linked-heading",
    "notes",
    "notes-1",
  ]);
});

test("a missing file, a missing anchor and an anchor into a non-Markdown file are reported; code is not a link", () => {
  const dir = mkdtempSync(join(tmpdir(), "doc-links-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "app.yml"), "name: x\n");
  writeFileSync(join(dir, "docs", "a.md"), "# Page A\n\n## Set up\n");
  writeFileSync(
    join(dir, "README.md"),
    [
      "# Title",
      "[ok](docs/a.md#set-up) [ok too](#title) [web](https://example.com/x.md) [file](app.yml)",
      "[gone](docs/b.md) [bad anchor](docs/a.md#setup) [yaml anchor](app.yml#name) [self](#nope)",
      "`[in code](docs/c.md)`",
      "```md",
      "[in a fence](docs/d.md)",
      "```",
    ].join("\n"),
  );
  expect(listBrokenLinks(dir, ["README.md"])).toEqual([
    "README.md: docs/b.md (no file docs/b.md)",
    "README.md: docs/a.md#setup (no heading with the anchor #setup in docs/a.md)",
    "README.md: app.yml#name (an anchor into a file that is not Markdown)",
    "README.md: #nope (no heading with the anchor #nope in README.md)",
  ]);
});
