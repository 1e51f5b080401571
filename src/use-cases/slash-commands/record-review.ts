import {
  DIAGNOSIS_START,
  OWN_END,
  readFollowUpMarker,
  replaceMarker,
  type DiagnosisState,
  type FollowUpMarker,
} from "../../domain/issue-state/markers.js";
import { followUpList } from "../../rendering/render-diagnosis.js";
import { reviewState, type Review } from "../../domain/follow-up-plan/summarize-plan.js";
import { recall } from "../triage/run-triage.js";
import type { GhComment, GhIssue } from "../../adapters/github/issue-github.js";
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
  const gh = ctx.ghFor(followUp.parent);
  const [comments, subIssues] = await Promise.all([gh.listComments(), gh.listSubIssues()]);
  const memory = recall(comments, subIssues, ctx.deps.identity, followUp.parent, ctx.deps.log);
  if (!memory.comment?.body || !memory.state) return;
  const reviews: Record<string, Review> = {
    ...memory.reviews,
    [followUp.template]: memory.reviews[followUp.template] === "rejected" ? "rejected" : review,
  };
  const state: DiagnosisState = {
    ...memory.state,
    reviews: { ...(memory.state.reviews ?? {}), [followUp.template]: reviews[followUp.template] },
  };
  const order = ctx.config!.follow_ups.map((f) => f.template);
  const refs = memory.followUps
    .map((f) => ({ ...f, review: reviewState(f, reviews) }))
    .sort((a, b) => order.indexOf(a.template) - order.indexOf(b.template));
  const body = memory.comment.body;
  const start = body.indexOf(DIAGNOSIS_START);
  const endAt = body.indexOf(OWN_END, start);
  const end = endAt < 0 ? body.length : endAt;
  const own = replaceMarker(body.slice(start, end), "diagnosis", state).replace(
    /#### Follow-up issues\n(?:- [^\n]*(?:\n|$))*/,
    `${followUpList(refs)}\n`,
  );
  const next = body.slice(0, start) + own + body.slice(end);
  if (next !== body) await gh.updateComment(memory.comment.id, next);
}

/** The follow-up marker in the app's own text of an issue body, rewritten (and nothing else of the body). */
export function rewriteFollowUpMarker(body: string, update: Partial<FollowUpMarker>): string {
  const current = readFollowUpMarker(body);
  return current ? replaceMarker(body, "follow-up", { ...current, ...update }) : body;
}
