/**
 * The demo's terminal summary of a comment or an issue: its Markdown read as GitHub reads it (GFM) and printed as plain
 * text, without what only a browser makes sense of: HTML tags and hidden markers dropped (a `<summary>` keeps its
 * text), Mermaid diagrams named instead of their source, tables as aligned columns, task lists as boxes, Markdown
 * escapes undone. The HTML page (`render-demo-page.ts`) shows the same comment as GitHub renders it.
 */
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

/** An mdast node, as far as this module looks into one. */
interface MdNode {
  type: string;
  value?: string;
  lang?: string | null;
  depth?: number;
  checked?: boolean | null;
  ordered?: boolean | null;
  start?: number | null;
  children?: MdNode[];
}

const DIAGRAM = "[diagram: drawn on the HTML page]";

/** Markdown as plain text lines for a terminal (no trailing newline). */
export function formatMarkdownForTerminal(markdown: string): string {
  const tree = unified().use(remarkParse).use(remarkGfm).parse(markdown) as MdNode;
  return blocks(tree.children ?? [])
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\s+$/g, "");
}

function blocks(nodes: MdNode[]): string[] {
  return nodes.flatMap((node) => block(node));
}

function block(node: MdNode): string[] {
  switch (node.type) {
    case "heading":
      return ["", inline(node), ""];
    case "paragraph":
      return [...inline(node).split("\n"), ""];
    case "code":
      if (node.lang === "mermaid") return [`  ${DIAGRAM}`, ""];
      return [...(node.value ?? "").split("\n").map((line) => `    ${line}`), ""];
    case "html": {
      const text = stripTags(node.value ?? "").trim();
      return text ? [`▸ ${text}`, ""] : [];
    }
    case "list":
      return [...(node.children ?? []).flatMap((item, i) => listItem(node, item, i)), ""];
    case "table":
      return [...table(node), ""];
    case "blockquote":
      return blocks(node.children ?? []).map((line) => `│ ${line}`);
    case "thematicBreak":
      return ["────", ""];
    default:
      return [inline(node)];
  }
}

function listItem(list: MdNode, item: MdNode, index: number): string[] {
  const box = item.checked === true ? "☑ " : item.checked === false ? "☐ " : "";
  const bullet = list.ordered ? `${(list.start ?? 1) + index}.` : "-";
  const lines = blocks(item.children ?? []).filter((line) => line !== "");
  return lines.map((line, i) => (i === 0 ? `${bullet} ${box}${line}` : `  ${line}`));
}

function table(node: MdNode): string[] {
  const rows = (node.children ?? []).map((row) => (row.children ?? []).map((cell) => inline(cell)));
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? "")].length))) ?? [];
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell + " ".repeat(widths[c] - [...cell].length))
      .join("  ")
      .trimEnd();
  return rows.flatMap((row, i) => (i === 0 ? [line(row), widths.map((w) => "─".repeat(w)).join("  ")] : [line(row)]));
}

function inline(node: MdNode): string {
  switch (node.type) {
    case "text":
    case "inlineCode":
      return node.value ?? "";
    case "html":
      return stripTags(node.value ?? "");
    case "break":
      return "\n";
    default:
      return (node.children ?? []).map(inline).join("");
  }
}

/** HTML comments (the app's hidden markers) and tags removed, the text between them kept. */
function stripTags(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]*>/g, "");
}
