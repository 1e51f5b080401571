import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { graphqlIssueGitHub } from "./graphql-issue-github.js";
import { issueGitHubFromContext, type IssueGitHub } from "./issue-github.js";

/** The `IssueGitHub` of an event, over the transport the app is configured with (see `AppDeps.transport`). */
export function issueGitHubFor(
  context: Context<"issues" | "issue_comment">,
  deps: Pick<AppDeps, "transport" | "identity">,
  number: number = context.payload.issue.number,
): IssueGitHub {
  return deps.transport === "graphql" ? graphqlIssueGitHub(context, deps.identity, number) : issueGitHubFromContext(context, number);
}
