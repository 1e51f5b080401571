import type { Context } from "probot";
import type { AppDeps } from "../../entry/app-deps.js";
import { withBoundedWrites } from "./bounded-writes.js";
import { graphqlIssueGitHub } from "./graphql-issue-github.js";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { issueGitHubFromContext, readRawFile, type IssueGitHub } from "./issue-github.js";
import { configReadOf } from "./readonly-issue-github.js";

/**
 * The `IssueGitHub` of an event, over the transport the app is configured with (see `AppDeps.transport`), with every
 * body and title it writes cut to GitHub's limits (`withBoundedWrites`).
 */
export function issueGitHubFor(
  context: Context<"issues" | "issue_comment">,
  deps: Pick<AppDeps, "transport" | "identity" | "configPath">,
  number: number = context.payload.issue.number,
): IssueGitHub {
  const gh =
    deps.transport === "graphql"
      ? graphqlIssueGitHub(context, deps.identity, number)
      : issueGitHubFromContext(context, number);
  return withBoundedWrites(withConfigPath(gh, context.octokit, deps.configPath));
}

/** The same `IssueGitHub`, reading its config from `path` on the default branch (unchanged for the default path). */
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
    readConfig: async () => configReadOf(await text(), path),
    readConfigText: () => text().catch(() => undefined),
  };
}
