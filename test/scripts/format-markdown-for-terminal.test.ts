/** The demo's terminal text of a comment: what a terminal can show, without the Markdown and HTML only GitHub reads. */
import { expect, test } from "@jest/globals";
import { formatMarkdownForTerminal } from "../../scripts/format-markdown-for-terminal.js";

test.each([
  [
    "a hidden marker and a heading",
    "<!-- config-triage:diagnosis {} -->\n### ❌ 1 problem found",
    "❌ 1 problem found",
  ],
  [
    "Markdown escapes undone, code as text",
    "**`JWT_SECRET`** on JWT\\_SECRET\\_STAGING",
    "JWT_SECRET on JWT_SECRET_STAGING",
  ],
  ["a line break kept", "Where: here\nWhy: there", "Where: here\nWhy: there"],
  ["a command indented", "```sh\ngcloud run services update x\n```", "    gcloud run services update x"],
  [
    "a Mermaid diagram named, not its source",
    "```mermaid\nflowchart LR\n  a --> b\n```",
    "  [diagram: drawn on the HTML page]",
  ],
  [
    "<details> reduced to its summary line",
    "<details><summary>✅ 2 passing</summary>\n\ntext\n\n</details>",
    "▸ ✅ 2 passing\n\ntext",
  ],
  ["a task list as boxes", "- [ ] #931 Fix\n- [x] #932 Done", "- ☐ #931 Fix\n- ☑ #932 Done"],
  [
    "a table in aligned columns",
    "| Service | Status |\n|---|---|\n| `netra-backend` | ❌ missing |\n| `a` | ✅ set |",
    "Service        Status\n─────────────  ─────────\nnetra-backend  ❌ missing\na              ✅ set",
  ],
])("%s", (_name, markdown, text) => {
  expect(formatMarkdownForTerminal(markdown)).toBe(text);
});
