import { readdirSync, readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { didYouMean, type ConfigProblem } from "../domain/config/parse-config.js";
import { fitTitle } from "./fit-body.js";
import { TEMPLATE_NAME } from "../domain/config/schema.js";

/** A relative milestone: `next` (the open milestone due soonest after today) or `next+N` (N milestones later). */
export const RELATIVE_MILESTONE = /^next(?:\+([1-9][0-9]?))?$/;

/** Front matter of a follow-up template (the JSON Schema in `schema/` is generated from it). */
export const FrontMatterSchema = z
  .strictObject({
    title: z.string().min(1).describe("The issue title; placeholders allowed."),
    labels: z.array(z.string().min(1)).default([]).describe("Labels of the follow-up; placeholders allowed."),
    assignees: z.array(z.string().min(1)).default([]).describe("Logins to assign."),
    when: z.enum(["always", "failing"]).default("always").describe("`always`, or `failing`: only when a check fails."),
    blocked_by: z
      .array(TEMPLATE_NAME)
      .default([])
      .describe(
        "Templates whose follow-up (of the same parent) blocks this one, recorded as GitHub issue dependencies. " +
          "Each must be enabled in `follow_ups`; a cycle is an error.",
      ),
    milestone: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe(
        "An open milestone's title, or `next` (the open milestone due soonest after today) or `next+N` (N after " +
          "that). When none matches, the follow-up opens without one and the plan says so; the app never creates " +
          "milestones.",
      ),
    type: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe(
        "The issue type, e.g. `Task` or `Bug` (organisations with issue types); the app says when it is not set.",
      ),
  })
  .describe("Front matter of a config-triage follow-up template (`.github/config-triage/NAME.md`).");

const FRONT_MATTER_KEY_LIST = Object.keys(FrontMatterSchema.shape);

/** What is wrong with one front-matter value, in the app's words (not the schema library's). */
function frontMatterMistake(issue: z.core.$ZodIssue, present: boolean): string {
  const kinds: Record<string, string> = { array: "a list, e.g. `[bug, ops]`", string: "a string" };
  switch (issue.code) {
    case "invalid_type":
      return present ? `must be ${kinds[issue.expected] ?? issue.expected}` : "is required";
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => `\`${String(v)}\``).join(", ")}`;
    case "too_small":
      return "must not be empty";
    default:
      return issue.message;
  }
}

export interface Template {
  name: string;
  /** Where it came from, for error messages: `templates/x.md` or `.github/config-triage/x.md`. */
  file: string;
  title: string;
  labels: string[];
  assignees: string[];
  when: "always" | "failing";
  /** Templates whose follow-up blocks this one (`blocked_by:`). */
  blockedBy: string[];
  /** `milestone:` as written: a title, `next` or `next+N`. */
  milestone?: string;
  /** `type:` as written, e.g. `Task`. */
  type?: string;
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
  /** 1-based lines of the `title:` and `labels:` keys, for errors in their placeholders. */
  titleLine: number;
  labelsLine: number;
  /** 1-based line of each `blocked_by` entry, for errors about the template it names. */
  blockedByLines: number[];
}

export interface RenderedIssue {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
}

export type TemplateResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** Where repositories put their own templates. */
export const REPO_TEMPLATE_DIR = ".github/config-triage";

/** Splits and validates a template file: YAML front matter between `---` lines, then the Markdown body. */
export function parseTemplate(name: string, file: string, text: string): TemplateResult<Template> {
  const fail = (message: string, line?: number): TemplateResult<Template> => ({
    ok: false,
    problems: [{ file, line, path: "", message }],
  });
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return fail("a template starts with YAML front matter between `---` lines, with at least a `title:`", 1);
  const lineCounter = new LineCounter();
  const doc = parseDocument(match[1], { lineCounter });
  if (doc.errors.length) {
    // The YAML parser's own "at line N, column M" counts from the front matter, not the file: drop it.
    const reason = doc.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return fail(`the front matter does not parse: ${reason}`, lineCounter.linePos(doc.errors[0].pos[0]).line + 1);
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const parsed = FrontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    // Every mistake of the front matter at once, each at its key's line, in the app's words.
    const lineOf = (key: string) => {
      const node = key ? (doc.get(key, true) as { range?: [number] } | undefined) : undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line + 1 : 2;
    };
    const problems = parsed.error.issues.flatMap((issue): ConfigProblem[] => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => {
          const best = didYouMean(key, FRONT_MATTER_KEY_LIST);
          const hint = best ? `did you mean \`${best}\`?` : `the keys are ${FRONT_MATTER_KEY_LIST.join(", ")}`;
          return { file, line: lineOf(key), path: "", message: `unknown front matter key \`${key}\`: ${hint}` };
        });
      }
      const key = String(issue.path[0] ?? "");
      const message = `front matter \`${key}\` ${frontMatterMistake(issue, key in raw)}`;
      return [{ file, line: lineOf(key), path: "", message }];
    });
    return { ok: false, problems };
  }
  const bodyLine = match[0].split("\n").length;
  const keyLine = (key: string) => {
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((item) => String((item.key as { value?: unknown })?.value) === key)
      : undefined;
    const range = (pair?.key as { range?: [number] } | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line + 1 : 2;
  };
  const { blocked_by: blockedBy, milestone, type, ...rest } = parsed.data;
  const blockedNode = doc.get("blocked_by", true);
  const template: Template = {
    name,
    file,
    ...rest,
    blockedBy,
    ...(milestone ? { milestone } : {}),
    ...(type ? { type } : {}),
    body: text.slice(match[0].length),
    bodyLine,
    titleLine: keyLine("title"),
    labelsLine: keyLine("labels"),
    blockedByLines: blockedBy.map((_, i) => {
      const item = isSeq(blockedNode) ? (blockedNode.items[i] as { range?: [number] } | undefined) : undefined;
      return item?.range ? lineCounter.linePos(item.range[0]).line + 1 : keyLine("blocked_by");
    }),
  };
  // Compile now so that a syntax error is reported when the template is loaded, not half-way through a triage.
  const problems: ConfigProblem[] = [];
  for (const [part, source, line] of [
    ["title", template.title, template.titleLine],
    ["body", template.body, bodyLine],
  ] as const) {
    try {
      handlebars.precompile(source, { strict: true, noEscape: true });
    } catch (error) {
      const message = `the ${part} does not parse: ${templateErrorMessage(error)}`;
      problems.push({ file, line: line + templateErrorLine(error) - 1, path: "", message });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: template };
}

const handlebars = Handlebars.create();
handlebars.registerHelper("join", (list: unknown, separator: unknown) =>
  Array.isArray(list) ? list.join(typeof separator === "string" ? separator : ", ") : "",
);

function templateErrorLine(error: unknown): number {
  const message = String((error as Error)?.message ?? error);
  const m = /on line (\d+)/.exec(message) ?? / - (\d+):\d+$/m.exec(message);
  return m ? Number(m[1]) : 1;
}

function templateErrorMessage(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  // Handlebars counts lines from the start of the title or body, which contradicts the file line reported with the
  // problem: keep the excerpt it points at instead of its position.
  const [first, excerpt] = message.split("\n");
  if (/^Parse error on line \d+:$/.test(first) && excerpt)
    return `syntax error near \`${excerpt.trim().replace(/`/g, "'")}\``;
  return first.replace(/ - \d+:\d+$/, "");
}

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
