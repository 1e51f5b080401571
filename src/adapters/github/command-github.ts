import type { Context } from "probot";
import type { CommandGitHub } from "../../use-cases/ports/command-github.js";
import type { PermissionAnswer } from "../../domain/roles/resolve-role.js";
import type { AppWiring } from "../../use-cases/app-wiring.js";
import { fitBody } from "../../rendering/fit-body.js";
import { issueGitHubFor } from "./issue-github-for.js";

/** `CommandGitHub` on a Probot context: the triage's reads and writes over the app's transport, the rest over REST. */
export function commandGitHubFromContext(
  context: Context<"issues" | "issue_comment">,
  number: number = context.payload.issue.number,
  deps: Pick<AppWiring, "transport" | "identity" | "ownIssuesBy"> = { identity: {} },
): CommandGitHub {
  const base = issueGitHubFor(context, deps, number);
  const octokit = context.octokit;
  const { owner, repo } = base;
  return {
    ...base,
    async react(commentId, content) {
      await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content });
    },
    async permissionOf(username) {
      return (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username }))
        .data as PermissionAnswer;
    },
    async removeLabel(name) {
      try {
        await octokit.rest.issues.removeLabel({ owner, repo, issue_number: number, name });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    async reopenIssue() {
      await octokit.rest.issues.update({ owner, repo, issue_number: number, state: "open" });
    },
    async updateBody(body) {
      await octokit.rest.issues.update({ owner, repo, issue_number: number, body: fitBody(body) });
    },
  };
}
