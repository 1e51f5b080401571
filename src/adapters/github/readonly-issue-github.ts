import type { Octokit } from "@octokit/rest";
import { LineCounter, parseDocument } from "yaml";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { readRawFile, restIssueGitHub, type ConfigRead, type IssueGitHub } from "./issue-github.js";

/**
 * Thrown by every write of the read-only `IssueGitHub`: a dry run that tries to write is a bug, never a silent no-op.
 */
export class ReadOnlyError extends Error {
  constructor(method: string) {
    super(`${method}: this is a read-only (dry-run) GitHub client; nothing may be written`);
    this.name = "ReadOnlyError";
  }
}

const MAX_EXTENDS = 5;

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
  return { kind: "found", value: doc.toJS() ?? {} };
}

/**
 * `IssueGitHub` over `@octokit/rest` that only reads: what the CLI's `plan` uses. Its write methods throw.
 *
 * The config is read like Probot's `context.config`: the repository's file, else the owner's `.github` repository's,
 * and `_extends: repo` or `_extends: owner/repo` merged under it (shallowly, like Probot).
 */
export function readOnlyIssueGitHub(octokit: Octokit, owner: string, repo: string, number: number): IssueGitHub {
  const readText = (o: string, r: string, path: string) => readRawFile(octokit, o, r, path);

  async function readYaml(o: string, r: string, depth: number): Promise<ConfigRead> {
    const file = o === owner && r === repo ? CONFIG_PATH : `${o}/${r}:${CONFIG_PATH}`;
    const read = configReadOf(await readText(o, r, CONFIG_PATH), file);
    if (read.kind !== "found") return read;
    const value = read.value as Record<string, unknown>;
    const extendsFrom = value._extends;
    if (typeof extendsFrom !== "string" || depth >= MAX_EXTENDS) return { kind: "found", value };
    const [baseOwner, baseRepo] = extendsFrom.includes("/") ? extendsFrom.split("/", 2) : [o, extendsFrom];
    const base = await readYaml(baseOwner, baseRepo.replace(/:.*$/, ""), depth + 1);
    if (base.kind === "invalid") return base;
    const { _extends: _, ...own } = value;
    return { kind: "found", value: { ...(base.kind === "found" ? (base.value as object) : {}), ...own } };
  }

  const refuse = (method: string) => async (): Promise<never> => {
    throw new ReadOnlyError(method);
  };

  return {
    ...restIssueGitHub(
      octokit,
      { owner, repo, number },
      {
        async readConfig() {
          const own = await readYaml(owner, repo, 0);
          return own.kind === "absent" && repo !== ".github" ? readYaml(owner, ".github", 0) : own;
        },
        // A token's bot login is only known when configured; without it the dry run cannot see orphans (it writes
        // nothing).
        botLogin: async () => process.env.CONFIG_TRIAGE_BOT_LOGIN || undefined,
      },
    ),
    createComment: refuse("createComment"),
    updateComment: refuse("updateComment"),
    createIssue: refuse("createIssue"),
    addSubIssue: refuse("addSubIssue"),
    addBlockedBy: refuse("addBlockedBy"),
    closeIssue: refuse("closeIssue"),
    applyWrites: refuse("applyWrites"),
  };
}
