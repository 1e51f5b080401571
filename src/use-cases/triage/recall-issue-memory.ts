import type { ExistingFollowUp } from "../../domain/follow-up-plan/follow-up-plan.js";
import type { Review } from "../../domain/follow-up-plan/to-proposal.js";
import {
  DIAGNOSIS_START,
  isAppAuthored,
  readDiagnosisState,
  readFollowUpMarker,
  type AppIdentity,
  type DiagnosisState,
  type MarkerLog,
} from "../../domain/issue-state/markers.js";
import type { GhComment, GhIssue } from "../ports/issue-github.js";

/** What the app has already written on this issue: its diagnosis comment and the follow-ups it opened. */
export interface IssueMemory {
  comment?: GhComment;
  state?: DiagnosisState;
  followUps: ExistingFollowUp[];
  /**
   * Reviews, from the diagnosis state and from the follow-ups themselves (closed as not planned, or marked rejected).
   */
  reviews: Record<string, Review>;
}

/** An issue as one of this parent's follow-ups, if the app wrote it and its marker names this parent. */
function ownFollowUp(
  issue: GhIssue,
  identity: AppIdentity,
  parent: number,
  linked: boolean,
  log?: MarkerLog,
): { followUp: ExistingFollowUp; rejected: boolean } | undefined {
  if (!isAppAuthored(issue, identity)) return undefined;
  const marker = readFollowUpMarker(issue.body, log);
  if (!marker || marker.parent !== parent) return undefined;
  const state = issue.state === "closed" ? "closed" : "open";
  const { template } = marker;
  const { id, node_id, number, title } = issue;
  const followUp: ExistingFollowUp = { template, id, node_id, number, title, state, linked, ...structureOf(issue) };
  if (typeof issue.body === "string") followUp.body = issue.body;
  if (marker.fixes) followUp.fixes = marker.fixes;
  return { followUp, rejected: Boolean(marker.rejected) };
}

/**
 * Finds the app's own diagnosis comment and follow-ups. Markers in text the app did not write are ignored; so is a
 * state of an unknown version or that does not validate (logged to `log`): its comment is still the app's, rewritten.
 */
export function recall(
  comments: GhComment[],
  subIssues: GhIssue[],
  identity: AppIdentity,
  parent: number,
  log?: MarkerLog,
): IssueMemory {
  const comment = comments.find((c) => isAppAuthored(c, identity) && c.body?.includes(DIAGNOSIS_START));
  const state = readDiagnosisState(comment?.body, log);
  const followUps: ExistingFollowUp[] = [];
  const reviews: Record<string, Review> = { ...(state?.reviews ?? {}) };
  for (const issue of subIssues) {
    const own = ownFollowUp(issue, identity, parent, true, log);
    if (!own) continue;
    followUps.push(own.followUp);
    if (own.rejected || issue.state_reason === "not_planned") reviews[own.followUp.template] = "rejected";
  }
  // Follow-ups the last run recorded but which are not sub-issues (the link failed, or someone removed it). One that
  // is still a sub-issue (by its id: numbers change when an issue moves) is linked.
  for (const f of state?.followUps ?? []) {
    if (!followUps.some((e) => e.template === f.template)) {
      const linked = subIssues.some((s) => s.id === f.id);
      const { template, id, node_id, number } = f;
      followUps.push({ template, id, node_id, number, title: "", state: "open", linked });
    }
  }
  return { comment, state, followUps, reviews };
}

/** Follow-ups of this parent among the app's own issues that `recall` did not already know (not linked). */
export function recallOwnIssues(
  own: GhIssue[],
  known: ExistingFollowUp[],
  identity: AppIdentity,
  parent: number,
): ExistingFollowUp[] {
  const found: ExistingFollowUp[] = [];
  for (const issue of own) {
    const mine = ownFollowUp(issue, identity, parent, false);
    if (!mine) continue;
    const { template } = mine.followUp;
    if (
      known.some((k) => k.template === template || k.number === issue.number) ||
      found.some((f) => f.template === template)
    )
      continue;
    found.push(mine.followUp);
  }
  return found;
}

/** A follow-up's milestone title and type name, as GitHub answered (absent when not read). */
export function structureOf(issue: GhIssue): { milestone?: string; type?: string } {
  return {
    ...(issue.milestone ? { milestone: issue.milestone.title } : {}),
    ...(issue.type ? { type: issue.type.name } : {}),
  };
}
