/**
 * A follow-up template as a repository writes it (`.github/config-triage/NAME.md`): front matter between `---`
 * lines, then a Handlebars body. Parsing and validating it is part of reading the configuration; rendering it with a
 * triage's data is in `rendering/templates.ts`.
 */
import Handlebars from "handlebars";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { didYouMean, type ConfigProblem } from "./parse-config.js";
import { TEMPLATE_NAME } from "./schema.js";

/** The built-in template that carries the immediate fix: its follow-up closes itself when its checks pass. */
export const FIX_TEMPLATE = "immediate-fix";
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
    closes_when_fixed: z
      .boolean()
      .optional()
      .describe(
        "Whether the follow-up carries the fix itself: closed as completed, with a one-line comment, once the checks " +
          "it was opened for pass (default: true for `immediate-fix`, false for the others).",
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
  /** `closes_when_fixed:` (default: true for `immediate-fix` only): the follow-up closes when its checks pass. */
  closesWhenFixed: boolean;
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
  const { blocked_by: blockedBy, milestone, type, closes_when_fixed, ...rest } = parsed.data;
  const blockedNode = doc.get("blocked_by", true);
  const template: Template = {
    name,
    file,
    ...rest,
    blockedBy,
    closesWhenFixed: closes_when_fixed ?? name === FIX_TEMPLATE,
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
      Handlebars.precompile(source, { strict: true, noEscape: true });
    } catch (error) {
      const message = `the ${part} does not parse: ${templateErrorMessage(error)}`;
      problems.push({ file, line: line + templateErrorLine(error) - 1, path: "", message });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: template };
}

/** The 1-based line of a Handlebars error, counted from the start of the title or body. */
export function templateErrorLine(error: unknown): number {
  const message = String((error as Error)?.message ?? error);
  const m = /on line (\d+)/.exec(message) ?? / - (\d+):\d+$/m.exec(message);
  return m ? Number(m[1]) : 1;
}

/** A Handlebars error in the app's words: the excerpt it points at, not its position. */
export function templateErrorMessage(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  // Handlebars counts lines from the start of the title or body, which contradicts the file line reported with the
  // problem: keep the excerpt it points at instead of its position.
  const [first, excerpt] = message.split("\n");
  if (/^Parse error on line \d+:$/.test(first) && excerpt)
    return `syntax error near \`${excerpt.trim().replace(/`/g, "'")}\``;
  return first.replace(/ - \d+:\d+$/, "");
}
