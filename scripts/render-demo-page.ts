/**
 * The demo's HTML page: the scenario's issue, the app's diagnosis comment and the follow-up issues, rendered as GitHub
 * renders them, in one self-contained file that opens from `file://` offline.
 *
 * - Markdown: GitHub Flavored Markdown by micromark (`remark-parse` + `remark-gfm`, which follow GitHub's own GFM
 *   spec and its tests): tables, task lists, strikethrough, autolinks; raw HTML such as `<details>` parsed as a browser
 *   would (`rehype-raw`); a line break in the text is a line break (`remark-breaks`), as in GitHub's issues and
 *   comments (not in its Markdown files).
 * - Sanitised as GitHub sanitises: `rehype-sanitize` with its default schema, which follows GitHub's allow-list (no
 *   script, no event handler, no `javascript:` URL, no style; ids prefixed `user-content-`; HTML comments dropped).
 *   Issue text is hostile: everything a person wrote goes through it, and the page's Content-Security-Policy allows
 *   no script but the one below and no request to the network (an image in an issue stays a broken image).
 * - Styles: GitHub's own Markdown CSS (`github-markdown-css`), inlined.
 * - Diagrams: a ```` ```mermaid ```` block is drawn, as GitHub draws it, by Mermaid's browser bundle (`mermaid`),
 *   inlined with `securityLevel: "strict"` (labels are text, clicks and HTML in labels are off). When the diagrams are
 *   drawn the page's `<body>` gets `data-mermaid="rendered"` (`"failed"` and the error otherwise).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import rehypeRaw from "rehype-raw";
import rehypeSanitize from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";

/** One issue as the page shows it: its header, its opening post and its comments. */
export interface DemoPageIssue {
  number: number;
  title: string;
  state: "open" | "closed";
  /** `completed` or `not_planned` when closed. */
  stateReason?: string | null;
  author: string;
  labels: string[];
  /** The opening post, Markdown. */
  body: string;
  /** Show the opening post folded (a long report whose point on the page is the app's answer). */
  foldBody?: boolean;
  type?: string | null;
  milestone?: string | null;
  /** Numbers of the issues this one is blocked by. */
  blockedBy?: number[];
  /** The number of the issue this one is a sub-issue of. */
  parent?: number | null;
  comments: DemoPageComment[];
}

/** A comment; `caption` says which moment of the demo it shows (the app edits one comment in place). */
export interface DemoPageComment {
  author: string;
  body: string;
  caption?: string;
}

/** What the page shows: the repository, the triaged issue and its follow-ups. */
export interface DemoPage {
  repo: string;
  issue: DemoPageIssue;
  followUps: DemoPageIssue[];
}

/** A hast node, as far as this module looks into one. */
interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

const require = createRequire(import.meta.url);

/**
 * Markdown to HTML as GitHub shows it in an issue: GFM, sanitised with GitHub's allow-list, Mermaid blocks left as
 * `<pre class="mermaid">` for the page's renderer, and `#N` linked to the issue of that number on the page
 * (`pageIssues`).
 */
export function renderMarkdown(markdown: string, pageIssues: ReadonlySet<number> = new Set()): string {
  return String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkBreaks)
      .use(remarkRehype, { allowDangerousHtml: true })
      .use(rehypeRaw)
      .use(rehypeSanitize)
      .use(() => (tree: HastNode) => decorate(tree, pageIssues))
      .use(rehypeStringify)
      .processSync(markdown),
  );
}

/** After sanitising: Mermaid blocks for the renderer, issue references as links, external links `rel=nofollow`. */
function decorate(node: HastNode, pageIssues: ReadonlySet<number>): void {
  const children = node.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (child.type === "element" && child.tagName === "pre" && isMermaidCode(child.children?.[0])) {
      children[i] = { type: "element", tagName: "pre", properties: { className: ["mermaid"] }, children: [] };
      children[i].children = [{ type: "text", value: textOf(child) }];
    } else if (child.type === "element" && child.tagName === "a") {
      child.properties = { ...child.properties, rel: ["nofollow"] };
    } else if (child.type === "element" && child.tagName !== "code" && child.tagName !== "pre") {
      decorate(child, pageIssues);
    } else if (child.type === "text" && pageIssues.size > 0) {
      const linked = linkIssueReferences(child.value ?? "", pageIssues);
      children.splice(i, 1, ...linked);
      i += linked.length - 1;
    }
  }
}

function isMermaidCode(node: HastNode | undefined): boolean {
  const className = node?.properties?.className;
  return node?.tagName === "code" && Array.isArray(className) && className.includes("language-mermaid");
}

function textOf(node: HastNode): string {
  return node.type === "text" ? (node.value ?? "") : (node.children ?? []).map(textOf).join("");
}

/** `#931` → a link to that issue's section of the page, as GitHub links an issue reference; other text unchanged. */
function linkIssueReferences(text: string, pageIssues: ReadonlySet<number>): HastNode[] {
  const out: HastNode[] = [];
  let last = 0;
  for (const match of text.matchAll(/(?<![\w#&/])#(\d{1,9})\b/g)) {
    const number = Number(match[1]);
    if (!pageIssues.has(number)) continue;
    if (match.index > last) out.push({ type: "text", value: text.slice(last, match.index) });
    out.push({
      type: "element",
      tagName: "a",
      properties: { href: `#${issueAnchor(number)}`, className: ["issue-link"] },
      children: [{ type: "text", value: match[0] }],
    });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ type: "text", value: text.slice(last) });
  return out;
}

function issueAnchor(number: number): string {
  return `issue-${number}`;
}

/** Text for HTML outside the Markdown (titles, labels, names): every character that means something escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Mermaid's browser bundle, ready to sit inside `<script>`: the few `<!--`, `<script` and `</script` it holds (in
 * strings and regular expressions) are written `\x3C…`, which JavaScript reads as `<` and the HTML parser does not
 * take for the end of the script.
 */
function mermaidBundle(): string {
  const source = readFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "utf8");
  return source.replace(/<(?=!--|\/?script)/gi, "\\x3C");
}

const MERMAID_START = `
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
mermaid.run({ querySelector: "pre.mermaid" }).then(
  () => { document.body.dataset.mermaid = "rendered"; },
  (error) => { document.body.dataset.mermaid = "failed"; document.body.dataset.mermaidError = String(error); },
);`;

const PAGE_CSS = `
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1012px; margin: 0 auto; padding: 24px 16px 64px; }
.banner { font-size: 13px; color: #59636e; margin-bottom: 24px; }
.issue { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px 24px; margin-bottom: 32px; }
.issue h2 { font-size: 26px; font-weight: 400; margin: 0 0 8px; }
.issue h2 .number { color: #59636e; font-weight: 300; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; font-size: 13px; color: #59636e;
  padding-bottom: 12px; border-bottom: 1px solid #d1d9e0; margin-bottom: 16px; }
.state { color: #fff; border-radius: 2em; padding: 4px 12px; font-weight: 500; font-size: 14px; }
.state.open { background: #1f883d; } .state.closed { background: #8250df; }
.label { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 8px; font-weight: 500; color: #1f2328;
  background: #ddf4ff; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; margin: 16px 0; }
.comment > header, .comment > summary { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
  font-size: 14px; border-radius: 6px 6px 0 0; color: #59636e; }
.comment > header strong, .comment > summary strong { color: #1f2328; }
.comment > summary { cursor: pointer; } .comment:not([open]) > summary { border-bottom: 0; border-radius: 6px; }
.comment > .markdown-body { padding: 16px; font-size: 14px; }
h1.page-title { font-size: 20px; font-weight: 600; margin: 0 0 4px; }
h3.follow-ups { font-size: 20px; margin: 0 0 16px; }
pre.mermaid { background: #fff !important; text-align: center; }`;

function renderIssue(issue: DemoPageIssue, pageIssues: ReadonlySet<number>): string {
  const reference = (n: number) => `<a href="#${issueAnchor(n)}">#${n}</a>`;
  const state = issue.state === "closed" ? `Closed${issue.stateReason ? ` (${issue.stateReason})` : ""}` : "Open";
  const meta = [
    `<span class="state ${issue.state}">${escapeHtml(state)}</span>`,
    `<span><strong>${escapeHtml(issue.author)}</strong> opened this issue</span>`,
    ...issue.labels.map((l) => `<span class="label">${escapeHtml(l)}</span>`),
    issue.type ? `<span>Type: <strong>${escapeHtml(issue.type)}</strong></span>` : "",
    issue.milestone ? `<span>Milestone: <strong>${escapeHtml(issue.milestone)}</strong></span>` : "",
    issue.parent ? `<span>Sub-issue of ${reference(issue.parent)}</span>` : "",
    issue.blockedBy?.length ? `<span>Blocked by ${issue.blockedBy.map(reference).join(", ")}</span>` : "",
  ].filter(Boolean);
  const comment = (c: DemoPageComment, fold = false) => {
    const header = `<strong>${escapeHtml(c.author)}</strong> ${escapeHtml(c.caption ?? "commented")}`;
    const body = `<div class="markdown-body">${renderMarkdown(c.body, pageIssues)}</div>`;
    return fold
      ? `<details class="comment"><summary>${header} (folded: click to read)</summary>${body}</details>`
      : `<div class="comment"><header>${header}</header>${body}</div>`;
  };
  const comments = [
    comment({ author: issue.author, body: issue.body, caption: "wrote" }, issue.foldBody),
    ...issue.comments.map((c) => comment(c)),
  ];
  return `<section class="issue" id="${issueAnchor(issue.number)}">
<h2>${escapeHtml(issue.title)} <span class="number">#${issue.number}</span></h2>
<div class="meta">${meta.join("\n")}</div>
${comments.join("\n")}
</section>`;
}

/**
 * The whole page as one HTML string: GitHub's Markdown CSS and Mermaid inlined, nothing loaded from elsewhere, and a
 * Content-Security-Policy that lets only the inlined script run (by its hash) and nothing reach the network.
 */
export function renderDemoPage(page: DemoPage): string {
  const pageIssues = new Set([page.issue.number, ...page.followUps.map((i) => i.number)]);
  const css = readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");
  const script = `${mermaidBundle()}\n${MERMAID_START}`;
  const hash = createHash("sha256").update(script).digest("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const followUps = page.followUps.map((i) => renderIssue(i, pageIssues)).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${page.repo}#${page.issue.number}: ${page.issue.title}`)}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<h1 class="page-title">${escapeHtml(page.repo)}</h1>
<p class="banner">What <code>npm run demo</code> left on the GitHub stand-in, rendered as GitHub renders it.</p>
${renderIssue(page.issue, pageIssues)}
<h3 class="follow-ups">Follow-up issues: sub-issues of #${page.issue.number} (${page.followUps.length})</h3>
${followUps}
</main>
<script>${script}</script>
</body>
</html>
`;
}

/** Writes the page to `path` (its folder created) and returns the path. */
export async function writeDemoPage(page: DemoPage, path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderDemoPage(page));
  return path;
}
