import { closest, distance } from "fastest-levenshtein";
import { LineCounter, parseDocument, isMap, type Node } from "yaml";
import type { z } from "zod";
import { COMMAND_NAMES, ConfigSchema, CONFIG_PATH, type Config } from "./schema.js";

/** One mistake in a user's file, located as precisely as the source allows. */
export interface ConfigProblem {
  file: string;
  /** 1-based; absent when the value came from an `_extends` base or the file's text is not at hand. */
  line?: number;
  column?: number;
  /** Dotted path of the offending key, e.g. `environments.staging.region`; empty for the whole file. */
  path: string;
  /** What is wrong and what to change. */
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates an already-parsed configuration object against the strict schema.
 * `text` is the file's YAML, used only to put a line number on each problem.
 */
export function parseConfig(value: unknown, source: { file?: string; text?: string } = {}): ConfigResult {
  const file = source.file ?? CONFIG_PATH;
  if (value === null || value === undefined || (typeof value === "object" && Object.keys(value).length === 0)) {
    return {
      ok: false,
      problems: [{ file, path: "", message: "the file is empty: name at least one environment under `environments:`" }],
    };
  }
  const result = ConfigSchema.safeParse(value);
  if (result.success) {
    const problems = crossCheck(result.data, file);
    return problems.length ? { ok: false, problems: locate(problems, source.text) } : { ok: true, config: result.data };
  }
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, file, value));
  return { ok: false, problems: locate(problems, source.text) };
}

/** Parses YAML text (the CLI and pull-request checks read files directly) and validates it. */
export function parseConfigText(text: string, file: string = CONFIG_PATH): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: "",
          message: `the YAML does not parse: ${firstLine(error.message)}`,
        };
      }),
    };
  }
  return parseConfig(doc.toJS(), { file, text });
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, file: string, root: unknown): ConfigProblem[] {
  const path = issue.path.map(String);
  const where = path.join(".");
  const at = (p: string[], message: string): ConfigProblem => ({ file, path: p.join("."), message });
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, known);
        const hint = suggestion
          ? `did you mean \`${suggestion}\`?`
          : known.length
            ? `the keys allowed here are ${known.map((k) => `\`${k}\``).join(", ")}`
            : "remove it";
        return at([...path, key], `unknown key \`${key}\`${where ? ` in \`${where}\`` : ""}: ${hint}`);
      });
    }
    case "invalid_type": {
      const present = getAt(root, issue.path) !== undefined;
      if (!present) return [at(path, `\`${where}\` is required: ${fieldHelp(path)}`)];
      return [
        at(path, `${where ? `\`${where}\`` : "the file"} must be ${article(issue.expected)}: ${fieldHelp(path)}`),
      ];
    }
    case "invalid_value":
      return [at(path, `\`${where}\` must be one of ${issue.values.map((v) => `\`${String(v)}\``).join(", ")}`)];
    case "too_small":
    case "too_big": {
      // In the app's words, not the schema library's ("Too big: expected number to be <=30000").
      const small = issue.code === "too_small";
      const bound = Number(small ? issue.minimum : issue.maximum);
      if (issue.origin === "number") {
        const limit = issue.inclusive
          ? `${small ? "at least" : "at most"} ${bound}`
          : `${small ? "more" : "less"} than ${bound}`;
        return [at(path, `\`${where}\` must be ${limit}: ${fieldHelp(path)}`)];
      }
      if (small && bound <= 1) return [at(path, `\`${where}\` must not be empty: ${fieldHelp(path)}`)];
      const unit = issue.origin === "string" ? "characters" : "entries";
      const count = `${small ? "at least" : "at most"} ${bound} ${unit}`;
      return [at(path, `\`${where}\` must have ${count}: ${fieldHelp(path)}`)];
    }
    case "invalid_union": {
      // A follow-up entry is a template name or { template, when }: report the closer branch.
      const nested = issue.errors.flat().filter((i) => i.code !== "invalid_type");
      if (nested.length)
        return nested.flatMap((i) => describeIssue({ ...i, path: [...issue.path, ...i.path] }, file, root));
      return [at(path, `\`${where}\` must be a template name or \`{ template: NAME, when: always|failing }\``)];
    }
    case "invalid_key":
      // zod keeps the key's own rule (e.g. "environment names are lower-case") in the nested issues.
      return [
        at(
          path,
          `\`${path[path.length - 1]}\` is not a valid key in \`${path.slice(0, -1).join(".")}\`: ` +
            `${issue.issues.map((i) => i.message).join("; ")}`,
        ),
      ];
    default:
      return [at(path, `\`${where || "the file"}\` ${issue.message}`)];
  }
}

/** Checks that span fields: names that must refer to something defined elsewhere in the file. */
function crossCheck(config: Config, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const envs = Object.keys(config.environments);
  config.checks.forEach((check, i) => {
    check.environments?.forEach((env, j) => {
      if (!envs.includes(env)) {
        problems.push({
          file,
          path: `checks.${i}.environments.${j}`,
          message:
            `check \`${check.variable}\` names environment \`${env}\`, which is not under ` +
            `\`environments:\`${suggest(env, envs)}`,
        });
      }
    });
    const services = new Set((check.environments ?? envs).flatMap((env) => config.environments[env]?.services ?? []));
    check.services?.forEach((service, j) => {
      if (!services.has(service)) {
        problems.push({
          file,
          path: `checks.${i}.services.${j}`,
          message:
            `check \`${check.variable}\` names service \`${service}\`, which no environment it applies to ` +
            `lists${suggest(service, [...services])}`,
        });
      }
    });
  });
  config.service_pairs.forEach((pair, i) => {
    for (const [env, service] of Object.entries(pair)) {
      const listed = config.environments[env]?.services;
      if (!listed) {
        problems.push({
          file,
          path: `service_pairs.${i}.${env}`,
          message:
            `service pair ${i + 1} names environment \`${env}\`, which is not under ` +
            `\`environments:\`${suggest(env, envs)}`,
        });
      } else if (!listed.includes(service)) {
        problems.push({
          file,
          path: `service_pairs.${i}.${env}`,
          message:
            `service pair ${i + 1} names service \`${service}\`, which environment \`${env}\` does not ` +
            `list${suggest(service, listed)}`,
        });
      }
    }
  });
  return problems;
}

/** The candidate close enough to `value` to be what was meant (a typo), if there is one. */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  if (!candidates.length) return undefined;
  const best = closest(value, candidates as string[]);
  return distance(value, best) <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

function suggest(value: string, candidates: string[]): string {
  if (!candidates.length) return "";
  const best = didYouMean(value, candidates);
  return best ? `: did you mean \`${best}\`?` : `: use one of ${candidates.map((c) => `\`${c}\``).join(", ")}`;
}

const KEYS: Record<string, string[]> = {
  "": [
    "labels",
    "environments",
    "checks",
    "service_pairs",
    "follow_ups",
    "on_pass",
    "mode",
    "review_label",
    "roles",
    "pull_requests",
    "label_role",
    "max_follow_ups",
    "max_triages_per_hour",
    "watch",
  ],
  roles: [...COMMAND_NAMES],
  watch: ["every", "for"],
  environment: ["project", "region", "services"],
  check: ["variable", "aliases", "environments", "services", "from", "secret", "why"],
  follow_up: ["template", "when"],
};

function shapeOf(path: string[]): string {
  if (path.length === 0) return "";
  if (path[0] === "environments" && path.length === 2) return "environment";
  if (path[0] === "checks" && path.length === 2) return "check";
  if (path[0] === "follow_ups" && path.length === 2) return "follow_up";
  if (path[0] === "roles" && path.length === 1) return "roles";
  if (path[0] === "watch" && path.length === 1) return "watch";
  return "?";
}

function knownKeys(path: string[]): string[] {
  return KEYS[shapeOf(path)] ?? [];
}

const HELP: Record<string, string> = {
  project: "the GCP project id, e.g. `project: acme-staging`",
  region: "the Cloud Run region, e.g. `region: us-central1`",
  services: "a list of Cloud Run service names, e.g. `services: [api]`",
  environments:
    "a map of environments, e.g. `staging: { project: acme-staging, region: us-central1, services: [api] }`",
  variable: "the environment variable name, e.g. `variable: JWT_SECRET_STAGING`",
  labels: 'a list of label names, e.g. `labels: ["triage:config"]`',
  checks: "a list of checks, e.g. `- variable: JWT_SECRET_STAGING`",
  follow_ups: "a list of template names, e.g. `follow_ups: [immediate-fix]`",
  template: "a template name, e.g. `template: immediate-fix`",
  aliases: "a list of variable names, e.g. `aliases: [JWT_SECRET]`",
  roles: "a map of command to minimum role, e.g. `roles: { apply: maintain }`",
  review_label: "a label name, e.g. `review_label: needs-review`",
  pull_requests: "`true` or `false`",
  label_role: "`anyone` or a role: `read`, `triage`, `write`, `maintain`, `admin`, e.g. `label_role: write`",
  max_follow_ups: "a whole number from 1 to 100, e.g. `max_follow_ups: 10`",
  max_triages_per_hour: "a whole number of at least 1, e.g. `max_triages_per_hour: 6`",
  timeout_ms: "milliseconds, a whole number from 1 to 30000, e.g. `timeout_ms: 5000`",
  path: "a path on the service, e.g. `path: /health`",
  watch: "a map, e.g. `watch: { every: 30m, for: 7d }` (or `watch: {}` for those defaults)",
};

function fieldHelp(path: string[]): string {
  const key = [...path].reverse().find((p) => Number.isNaN(Number(p))) ?? "";
  return HELP[key] ?? "see the configuration reference in docs/configuration.md";
}

function article(expected: string): string {
  const words: Record<string, string> = {
    array: "a list",
    object: "a map",
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
  };
  return words[expected] ?? expected;
}

function getAt(root: unknown, path: PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Puts a line and column on each problem: the key's own line if it exists, else its nearest existing parent's. */
export function locate(problems: ConfigProblem[], text: string | undefined): ConfigProblem[] {
  if (!text) return problems;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map((problem) => {
    const path: (string | number)[] = problem.path
      ? problem.path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      : [];
    for (let n = path.length; n >= 0; n--) {
      const offset = offsetOf(doc, path.slice(0, n), n === path.length);
      if (offset !== undefined) {
        const pos = lineCounter.linePos(offset);
        return { ...problem, line: pos.line, column: pos.col };
      }
    }
    return problem;
  });
}

function offsetOf(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  preferKey: boolean,
): number | undefined {
  if (path.length === 0) return doc.contents?.range?.[0];
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent) && preferKey) {
    const pair = parent.items.find((item) => (item.key as Node & { value?: unknown })?.toJSON?.() === last);
    const keyNode = pair?.key as Node | undefined;
    if (keyNode?.range) return keyNode.range[0];
  }
  const node = doc.getIn(path, true) as Node | undefined;
  return node?.range?.[0];
}
