import type { Context } from "probot";
import type { AppWiring } from "../../use-cases/app-wiring.js";
import { withBoundedWrites } from "./bounded-writes.js";
import { graphqlIssueGitHub } from "./graphql-issue-github.js";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { configAt, loadConfig } from "../../use-cases/load-config.js";
import { githubConfigFiles, issueGitHubFromContext, readRawFile } from "./issue-github.js";
import type { IssueGitHub } from "../../use-cases/ports/issue-github.js";

/**
 * The `IssueGitHub` of an event, over the transport the app is configured with (see `AppWiring.transport`), with every
 * body and title it writes cut to GitHub's limits (`withBoundedWrites`).
 */
export function issueGitHubFor(
  context: Context<"issues" | "issue_comment">,
  deps: Pick<AppWiring, "transport" | "identity" | "configPath" | "ownIssuesBy">,
  number: number = context.payload.issue.number,
): IssueGitHub {
  const gh =
    deps.transport === "graphql"
      ? graphqlIssueGitHub(context, deps.identity, number, deps.ownIssuesBy)
      : issueGitHubFromContext(context, number, deps.ownIssuesBy);
  return withBoundedWrites(withConfigPath(gh, context.octokit, deps.configPath));
}

/**
 * The same `IssueGitHub`, reading its config from `path` on the default branch (unchanged for the default path):
 * through the one config source, following `_extends`, without the owner's `.github` repository fallback.
 */
export function withConfigPath(
  gh: IssueGitHub,
  octokit: Parameters<typeof readRawFile>[0],
  path: string | undefined,
): IssueGitHub {
  if (!path || path === CONFIG_PATH) return gh;
  const text = () => readRawFile(octokit, gh.owner, gh.repo, path);
  return {
    ...gh,
    configFile: path,
    readConfig: () =>
      loadConfig(githubConfigFiles(octokit), configAt(gh.owner, gh.repo, path), { ownerFallback: false }),
    readConfigText: () => text().catch(() => undefined),
  };
}
