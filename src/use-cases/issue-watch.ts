import type { Context } from "probot";
import type { AppWiring } from "./app-wiring.js";
import { bindWatch, type IssueWatch } from "./triage/watch-scheduler.js";

/** The watch of the event's issue, when the app has a scheduler (the server) and the event an installation. */
export function issueWatchOf(
  context: Context<"issues" | "issue_comment">,
  deps: Pick<AppWiring, "watches">,
  number: number = context.payload.issue.number,
): IssueWatch | undefined {
  const installation = context.payload.installation?.id;
  if (!deps.watches || installation === undefined) return undefined;
  const { owner, repo } = context.repo();
  return bindWatch(deps.watches, { installation, owner, repo, number });
}
