import { readdirSync, readFileSync } from "node:fs";
import Handlebars from "handlebars";
import {
  parseTemplate,
  templateErrorLine,
  templateErrorMessage,
  type RenderedIssue,
  type Template,
  type TemplateResult,
} from "../domain/config/follow-up-template.js";
import { didYouMean, type ConfigProblem } from "../domain/config/parse-config.js";
import { fitTitle } from "./fit-body.js";

const handlebars = Handlebars.create();
handlebars.registerHelper("join", (list: unknown, separator: unknown) =>
  Array.isArray(list) ? list.join(typeof separator === "string" ? separator : ", ") : "",
);

/** What stands in for an unknown placeholder while the rest is rendered: empty, and falsy in `#if`. */
const STAND_IN = "@root.__configTriageUnknown";
/** Enough to list every typo of a template without looping on a broken one. */
const MAX_UNKNOWN_PER_PART = 50;

/** Every key of the data, at any depth (the first item of a list stands for all), for "did you mean". */
function allKeys(value: unknown, depth = 0, into = new Set<string>()): Set<string> {
  if (depth > 4 || value === null || typeof value !== "object") return into;
  if (Array.isArray(value)) return value.length ? allKeys(value[0], depth + 1, into) : into;
  for (const [key, child] of Object.entries(value)) {
    into.add(key);
    allKeys(child, depth + 1, into);
  }
  return into;
}

/** The dotted paths of the data from its root, through maps only (`parent.title`), for "did you mean". */
function rootPaths(value: unknown, prefix = "", depth = 0, into: string[] = []): string[] {
  if (depth > 4 || value === null || typeof value !== "object" || Array.isArray(value)) return into;
  for (const [key, child] of Object.entries(value)) {
    into.push(`${prefix}${key}`);
    rootPaths(child, `${prefix}${key}.`, depth + 1, into);
  }
  return into;
}

/**
 * "did you mean" for a placeholder: the closest path from the data's root (`parnet.url` -> `parent.url`), else, for a
 * placeholder inside a loop, the closest key anywhere in the data (`this.wat` -> `what`).
 */
function placeholderHint(path: string, data: Record<string, unknown>): string {
  const bare = path.replace(/^(\.\.\/)+|^this\./, "");
  const best = didYouMean(bare, rootPaths(data)) ?? didYouMean(bare.split(".").pop() ?? bare, [...allKeys(data)]);
  return best ? `did you mean \`${best}\`?` : "see the placeholders listed in docs/templates.md";
}

/**
 * Renders one part (title, body, a label) in strict mode and reports every unknown placeholder in it, each at its
 * line, with a "did you mean": after each one, that placeholder is replaced by an empty stand-in and the part
 * rendered again, so three typos are three problems in one run, not one per run.
 */
function renderPart(
  source: string,
  data: Record<string, unknown>,
  at: { file: string; line: number; part: string },
): string | ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const context = { ...data, __configTriageUnknown: [] };
  let current = source;
  for (let n = 0; n <= MAX_UNKNOWN_PER_PART; n++) {
    try {
      const text = handlebars.compile(current, { strict: true, noEscape: true })(context);
      return problems.length ? problems : text;
    } catch (error) {
      const line = at.line + templateErrorLine(error) - 1;
      const unknown = /"([^"]+)" not defined in/.exec(String((error as Error)?.message));
      const { lineNumber, column } = error as { lineNumber?: number; column?: number };
      if (!unknown || !lineNumber || column === undefined) {
        problems.push({ file: at.file, line, path: "", message: `the ${at.part}: ${templateErrorMessage(error)}` });
        return problems;
      }
      const lines = current.split("\n");
      const offset = lines.slice(0, lineNumber - 1).reduce((sum, l) => sum + l.length + 1, 0) + column;
      const path = /^[@\w./-]+/.exec(current.slice(offset))?.[0] ?? unknown[1];
      const message = `the ${at.part}: unknown placeholder \`${path}\`: ${placeholderHint(path, data)}`;
      problems.push({ file: at.file, line, path: "", message });
      current = current.slice(0, offset) + STAND_IN + current.slice(offset + path.length);
    }
  }
  return problems;
}

/**
 * Renders a template with the given data. Strict: an unknown placeholder is an error, reported with the template's
 * file and line, never a silently empty string; every unknown placeholder of the template is reported at once. The
 * data must already be escaped for Markdown where it comes from people (see `escapeMarkdown`); Handlebars' own HTML
 * escaping is off because it garbles Markdown.
 */
export function renderTemplate(template: Template, data: Record<string, unknown>): TemplateResult<RenderedIssue> {
  const problems: ConfigProblem[] = [];
  const render = (source: string, line: number, part: string): string => {
    const rendered = renderPart(source, data, { file: template.file, line, part });
    if (typeof rendered === "string") return rendered;
    problems.push(...rendered);
    return "";
  };
  const title = render(template.title, template.titleLine, "title");
  const body = render(template.body, template.bodyLine, "body");
  const labels = template.labels.map((label) => render(label, template.labelsLine, "labels").trim()).filter(Boolean);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: { title: fitTitle(title.replace(/\s+/g, " ").trim()), body, labels, assignees: template.assignees },
  };
}

/** The templates shipped with the app, from its `templates/` folder. */
export function loadBuiltInTemplates(dir: URL = new URL("../../templates/", import.meta.url)): Map<string, Template> {
  const templates = new Map<string, Template>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".md"))) {
    const name = file.slice(0, -3);
    const parsed = parseTemplate(name, `templates/${file}`, readFileSync(new URL(file, dir), "utf8"));
    // A broken built-in template is a bug in the app: fail at start-up, not in a user's triage.
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n"));
    templates.set(name, parsed.value);
  }
  return templates;
}
