/**
 * Relative links in the README and docs/: each must name a file that exists and, with `#anchor`, a heading of that
 * Markdown file as GitHub slugs it (github-slugger is GitHub's own algorithm, duplicates numbered `-1`, `-2`, ...).
 * And the project's files the text names in code spans (`src/...`, `test/...`): each must exist, so a moved file
 * cannot leave the docs pointing at its old place.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import GithubSlugger from "github-slugger";

/** The text outside fenced code blocks (a `#` line in a shell block is no heading, a link there is no link). */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** The anchors GitHub gives a Markdown file's headings. */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    // GitHub slugs the heading's text: link text without its target, no code or emphasis marks.
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    anchors.add(slugger.slug(text));
  }
  return anchors;
}

/** The link targets of a Markdown file's prose: `[text](target)` and `<a href>`, without inline code. */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const prose = line.replace(/`[^`]*`/g, "");
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
    for (const m of prose.matchAll(/<a\s[^>]*href="([^"]+)"/g)) targets.push(m[1]);
  }
  return targets;
}

/** Each broken relative link of `files` (paths relative to `root`), as `file: target (why)`. */
export function listBrokenLinks(root: string, files: string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      const [path, anchor] = target.split("#", 2);
      const resolved = path ? join(dirname(join(root, file)), decodeURIComponent(path)) : join(root, file);
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} (no file ${relative(root, resolved)})`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith(".md")) {
        broken.push(`${file}: ${target} (an anchor into a file that is not Markdown)`);
      } else if (!headingAnchors(readFileSync(resolved, "utf8")).has(decodeURIComponent(anchor))) {
        broken.push(`${file}: ${target} (no heading with the anchor #${anchor} in ${relative(root, resolved)})`);
      }
    }
  }
  return broken;
}

/** The project's top folders whose paths the docs name in code spans (`src/rendering/fit-body.ts`). */
const PROJECT_FOLDERS = ["src", "test", "dev", "scripts", "bench", "templates", "schema", "action", "docs", ".ci"];

/**
 * Each path into the project named in a code span of `files` (relative to the repository root `root`) that does not
 * exist, as `file: path`. A span with a wildcard or a placeholder (`*`, `{`, `<`, `NAME`) names no one file.
 */
export function listMissingPaths(root: string, files: string[]): string[] {
  const folders = PROJECT_FOLDERS.map((f) => f.replace(".", "\\.")).join("|");
  const pathSpan = new RegExp(`\`((?:${folders})/[^\`\\s]*)\``, "g");
  const missing: string[] = [];
  for (const file of files) {
    for (const [, span] of readFileSync(join(root, file), "utf8").matchAll(pathSpan)) {
      const path = span.replace(/[:#].*$/, "");
      if (/[*{<]|NAME|\bN\b/.test(path)) continue;
      if (!existsSync(join(root, path))) missing.push(`${file}: ${span}`);
    }
  }
  return missing;
}
