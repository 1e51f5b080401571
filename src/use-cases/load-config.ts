import deepmerge from "deepmerge";
import { LineCounter, parseDocument } from "yaml";
import type { ConfigProblem } from "../domain/config/parse-config.js";
import { CONFIG_PATH } from "../domain/config/schema.js";

/** A config file's place: a repository and a path in it. */
export interface ConfigLocation {
  owner: string;
  repo: string;
  path: string;
}

/**
 * Where config files are read from: the port of the one config source. The GitHub adapter reads the default branch
 * (or a pull request's head for the repository's own file); the CLI reads its own file from disk.
 */
export interface ConfigFiles {
  /** The file's text, or undefined when it does not exist; throws when it cannot be read. */
  read(at: ConfigLocation): Promise<string | undefined>;
}

/** The config as read: its merged value (and the repository's own text, for line numbers), absent, or not usable. */
export type ConfigRead =
  | { kind: "found"; value: unknown; text?: string }
  | { kind: "absent" }
  | { kind: "invalid"; problem: ConfigProblem };

/** `_extends` chains longer than this are refused (Probot has no bound; repository files are anyone's to write). */
export const MAX_EXTENDS = 10;

/** Probot's `_extends` syntax: `repo`, `owner/repo`, either with `:path.yml`. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

/** A config file's text as the triage reads it: absent (undefined), invalid YAML (with its line), or the value. */
export function configReadOf(text: string | undefined, file: string): ConfigRead {
  if (text === undefined) return { kind: "absent" };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const pos = lineCounter.linePos(doc.errors[0].pos[0]);
    const message = doc.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const problem = { file, line: pos.line, column: pos.col, path: "", message: `the YAML does not parse: ${message}` };
    return { kind: "invalid", problem };
  }
  return { kind: "found", value: doc.toJS() ?? {}, text };
}

/**
 * The app's one config source: the triage, the commands, the pull-request check, the Action and the CLI all read the
 * config through it. Like Probot's `context.config`: the repository's file, else (with `ownerFallback`, the default)
 * the same path in the owner's `.github` repository; then `_extends: repo`, `owner/repo` or `repo:path.yml`
 * (a chain, each base read from its repository), merged the way Probot merges them (deeply, the repository's own keys
 * last; lists are joined). A missing base is skipped, as Probot does; an `_extends` that is not valid, a loop or a
 * chain over `MAX_EXTENDS` is a problem located at the file that says it.
 */
export async function loadConfig(
  files: ConfigFiles,
  at: ConfigLocation,
  options: { ownerFallback?: boolean; ownFile?: string } = {},
): Promise<ConfigRead> {
  const label = (l: ConfigLocation) =>
    sameLocation(l, at) ? (options.ownFile ?? at.path) : `${l.owner}/${l.repo}:${l.path}`;
  const readAt = async (l: ConfigLocation) => configReadOf(await files.read(l), label(l));
  let from = at;
  let first = await readAt(at);
  if (first.kind === "absent" && options.ownerFallback !== false && at.repo !== ".github") {
    from = { ...at, repo: ".github" };
    first = await readAt(from);
  }
  if (first.kind !== "found") return first;
  const chain: Array<{ at: ConfigLocation; value: unknown }> = [{ at: from, value: first.value }];
  const problem = (l: ConfigLocation, message: string): ConfigRead => ({
    kind: "invalid",
    problem: { file: label(l), path: "_extends", message },
  });
  for (;;) {
    const last = chain[chain.length - 1];
    const extendsValue = (last.value as { _extends?: unknown } | null)?._extends;
    if (!extendsValue) break;
    const match = typeof extendsValue === "string" ? EXTENDS.exec(extendsValue) : null;
    if (!match) {
      return problem(
        last.at,
        "`_extends` must be `repo`, `owner/repo` or `owner/repo:path.yml`, the config it extends",
      );
    }
    const base = { owner: match[1] || at.owner, repo: match[2], path: match[3] || at.path };
    if (chain.some((c) => sameLocation(c.at, base))) {
      return problem(last.at, `\`_extends: ${extendsValue}\` leads back to a file already read: remove the loop`);
    }
    if (chain.length > MAX_EXTENDS) {
      return problem(last.at, `more than ${MAX_EXTENDS} \`_extends\` in a row: extend a config that extends less`);
    }
    const read = await readAt(base);
    if (read.kind === "invalid") return read;
    if (read.kind === "absent") break;
    chain.push({ at: base, value: read.value });
  }
  const values = chain.map(({ value }) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    const { _extends: _, ...own } = value as Record<string, unknown>;
    return own;
  });
  // Line numbers are put on the repository's own file only.
  const text = from === at ? first.text : undefined;
  if (values.length === 1) return { kind: "found", value: values[0], text };
  const objects = values.filter((v): v is object => Boolean(v) && typeof v === "object");
  return { kind: "found", value: deepmerge.all([{}, ...objects.reverse()]), text };
}

const sameLocation = (a: ConfigLocation, b: ConfigLocation) =>
  a.owner === b.owner && a.repo === b.repo && a.path === b.path;

/** `files`, except that the file at `own` is `text` (already read: a GraphQL answer, a pull request's head, a disk). */
export function filesWith(own: ConfigLocation, text: string | undefined, files: ConfigFiles): ConfigFiles {
  return { read: (at) => (sameLocation(at, own) ? Promise.resolve(text) : files.read(at)) };
}

/** The config of `owner/repo` at the app's path (`.github/config-triage.yml`) or another. */
export const configAt = (owner: string, repo: string, path: string = CONFIG_PATH): ConfigLocation => ({
  owner,
  repo,
  path,
});

/**
 * A config file to validate (a pull request's head, a file on disk), as the one config source will read it: its own
 * `text`, merged with what it `_extends` through `files`. Its own YAML mistakes are left to `validateFiles`, which
 * lists them all; a broken `_extends`, or a base that does not parse, is one problem.
 */
export async function configToValidate(
  files: ConfigFiles,
  at: ConfigLocation,
  own: { file: string; text: string },
): Promise<{ config?: { file: string; text: string; value?: unknown }; problems: ConfigProblem[] }> {
  const read = await loadConfig(filesWith(at, own.text, files), at, { ownerFallback: false, ownFile: own.file });
  if (read.kind === "found") return { config: { ...own, value: read.value }, problems: [] };
  if (read.kind === "invalid" && read.problem.file === own.file && read.problem.path === "") {
    return { config: own, problems: [] };
  }
  return { problems: read.kind === "invalid" ? [read.problem] : [] };
}
