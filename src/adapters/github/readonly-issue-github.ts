import type { Octokit } from "@octokit/rest";
import { configAt, loadConfig } from "../../use-cases/load-config.js";
import { githubConfigFiles, restIssueGitHub } from "./issue-github.js";
import type { IssueGitHub } from "../../use-cases/ports/issue-github.js";

/**
 * Thrown by every write of the read-only `IssueGitHub`: a dry run that tries to write is a bug, never a silent no-op.
 */
export class ReadOnlyError extends Error {
  constructor(method: string) {
    super(`${method}: this is a read-only (dry-run) GitHub client; nothing may be written`);
    this.name = "ReadOnlyError";
  }
}

/**
 * `IssueGitHub` over `@octokit/rest` that only reads: what the CLI's `plan` uses. Its write methods throw.
 *
 * The config comes from the app's one config source (`loadConfig`), as the app reads it.
 */
export function readOnlyIssueGitHub(
  octokit: Octokit,
  owner: string,
  repo: string,
  number: number,
  /** `CONFIG_TRIAGE_BOT_LOGIN`: a token's bot login is known only when configured. */
  botLogin?: string,
): IssueGitHub {
  const refuse = (method: string) => async (): Promise<never> => {
    throw new ReadOnlyError(method);
  };

  return {
    ...restIssueGitHub(
      octokit,
      { owner, repo, number },
      {
        readConfig: () => loadConfig(githubConfigFiles(octokit), configAt(owner, repo)),
        // A token's bot login is only known when configured; without it the dry run cannot see orphans (it writes
        // nothing).
        botLogin: async () => botLogin || undefined,
      },
    ),
    createComment: refuse("createComment"),
    updateComment: refuse("updateComment"),
    createIssue: refuse("createIssue"),
    addSubIssue: refuse("addSubIssue"),
    addBlockedBy: refuse("addBlockedBy"),
    closeIssue: refuse("closeIssue"),
    updateOtherIssue: refuse("updateOtherIssue"),
    commentOnOther: refuse("commentOnOther"),
    applyWrites: refuse("applyWrites"),
  };
}
