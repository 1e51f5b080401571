import { readFollowUpMarker, replaceMarker, type FollowUpMarker } from "../../domain/issue-state/markers.js";
import type { Review } from "../../domain/follow-up-plan/to-proposal.js";
import { refreshFollowUpList } from "../triage/refresh-follow-up-list.js";
import type { GhComment, GhIssue } from "../ports/issue-github.js";
import type { CommandContext } from "./command.js";

/** What recording a review asks of GitHub on the parent: the app's comment and follow-ups, and one edit. */
export interface ReviewGitHub {
  listComments(): Promise<GhComment[]>;
  listSubIssues(): Promise<GhIssue[]>;
  updateComment(id: number, body: string): Promise<void>;
}

/**
 * Records a review in the parent's diagnosis comment: its state marker and its follow-up list. Only the app's own
 * section of its own comment is rewritten; nothing else in the comment changes.
 */
export async function recordReview(
  ctx: CommandContext<unknown, ReviewGitHub>,
  followUp: { parent: number; template: string },
  review: Review,
): Promise<void> {
  await refreshFollowUpList(ctx.ghFor(followUp.parent), {
    identity: ctx.deps.identity,
    parent: followUp.parent,
    order: ctx.config!.follow_ups.map((f) => f.template),
    review: { template: followUp.template, review },
    log: ctx.deps.log,
  });
}

/** The follow-up marker in the app's own text of an issue body, rewritten (and nothing else of the body). */
export function rewriteFollowUpMarker(body: string, update: Partial<FollowUpMarker>): string {
  const current = readFollowUpMarker(body);
  return current ? replaceMarker(body, "follow-up", { ...current, ...update }) : body;
}
