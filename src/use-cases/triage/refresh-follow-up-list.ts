import {
  DIAGNOSIS_START,
  OWN_END,
  replaceMarker,
  type AppIdentity,
  type DiagnosisState,
  type MarkerLog,
} from "../../domain/issue-state/markers.js";
import { followUpList } from "../../rendering/render-diagnosis.js";
import { reviewState, type Review } from "../../domain/follow-up-plan/to-proposal.js";
import type { IssueGitHub } from "../ports/issue-github.js";
import { recall } from "./run-triage.js";

/**
 * Rewrites the follow-up list (and the state marker) of a parent's diagnosis comment in place from what GitHub says
 * now: each follow-up's state and review. With `review`, records that review of one follow-up first (a rejection
 * stays final). Only the app's own section of its own comment is rewritten, and only when something changed.
 * Returns whether the comment was written.
 */
export async function refreshFollowUpList(
  gh: Pick<IssueGitHub, "listComments" | "listSubIssues" | "updateComment">,
  o: {
    identity: AppIdentity;
    parent: number;
    /** The templates in the config's order (the list's order). */
    order: string[];
    review?: { template: string; review: Review };
    /** Where a state the app cannot read is reported. */
    log?: MarkerLog;
  },
): Promise<boolean> {
  const [comments, subIssues] = await Promise.all([gh.listComments(), gh.listSubIssues()]);
  const memory = recall(comments, subIssues, o.identity, o.parent, o.log);
  if (!memory.comment?.body || !memory.state) return false;
  const reviews: Record<string, Review> = { ...memory.reviews };
  let state: DiagnosisState = memory.state;
  if (o.review) {
    const { template } = o.review;
    reviews[template] = reviews[template] === "rejected" ? "rejected" : o.review.review;
    state = { ...state, reviews: { ...(state.reviews ?? {}), [template]: reviews[template] } };
  }
  const refs = memory.followUps
    .map((f) => ({ ...f, review: reviewState(f, reviews) }))
    .sort((a, b) => o.order.indexOf(a.template) - o.order.indexOf(b.template));
  const body = memory.comment.body;
  const start = body.indexOf(DIAGNOSIS_START);
  const endAt = body.indexOf(OWN_END, start);
  const end = endAt < 0 ? body.length : endAt;
  const own = replaceMarker(body.slice(start, end), "diagnosis", state).replace(
    /#### Follow-up issues\n(?:- [^\n]*(?:\n|$))*/,
    `${followUpList(refs)}\n`,
  );
  const next = body.slice(0, start) + own + body.slice(end);
  if (next === body) return false;
  await gh.updateComment(memory.comment.id, next);
  return true;
}
