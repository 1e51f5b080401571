import type { FixAction } from "../../domain/follow-up-plan/decide-fix-follow-ups.js";
import type { Review } from "../../domain/follow-up-plan/to-proposal.js";
import type { FollowUpPlan } from "../../domain/follow-up-plan/follow-up-plan.js";
import type { DependencyLink, GhIssue } from "../ports/issue-github.js";
import type { TriageGitHub } from "../ports/triage-github.js";
import type { IssueMemory } from "./recall-issue-memory.js";

/**
 * Applies the fix follow-ups' decisions: a fixed one gets its ticked body and is closed as completed in one request,
 * then its one-line comment; a partly fixed one gets its ticked body. Returns the numbers closed.
 */
export async function applyFixes(
  gh: Pick<TriageGitHub, "updateOtherIssue" | "commentOnOther">,
  fixes: FixAction[],
): Promise<number[]> {
  const closed: number[] = [];
  for (const fix of fixes) {
    if (fix.kind === "tick") {
      await gh.updateOtherIssue(fix.number, { body: fix.body });
      continue;
    }
    await gh.updateOtherIssue(fix.number, { body: fix.body, close: "completed" });
    await gh.commentOnOther(fix.number, fix.comment);
    closed.push(fix.number);
  }
  return closed;
}

/**
 * The dependencies to record, as issues: each planned link whose two follow-ups exist now (created by this run or
 * before), unless the last run recorded it or either follow-up was rejected.
 */
export function dependencyLinks(
  plan: Pick<FollowUpPlan, "links" | "create">,
  created: GhIssue[],
  memory: Pick<IssueMemory, "followUps" | "state">,
  reviews: Record<string, Review>,
): DependencyLink[] {
  const issues = new Map<string, { number: number; id: number; fresh: boolean }>();
  for (const f of memory.followUps) issues.set(f.template, { number: f.number, id: f.id, fresh: false });
  for (const [i, { number, id }] of created.entries()) issues.set(plan.create[i].template, { number, id, fresh: true });
  const recorded = (blocked: number, blocking: number) =>
    (memory.state?.followUps ?? []).some((f) => f.number === blocked && f.blockedBy?.includes(blocking));
  return plan.links.flatMap(({ blocked, blocking }) => {
    const a = issues.get(blocked);
    const b = issues.get(blocking);
    const rejected = reviews[blocked] === "rejected" || reviews[blocking] === "rejected";
    if (!a || !b || rejected || recorded(a.number, b.number)) return [];
    return [{ blocked: a, blocking: { number: b.number, id: b.id } }];
  });
}

/** What the follow-ups opened now did not get: milestones and types none matched or GitHub dropped. */
export function notSetItems(drafts: FollowUpPlan["create"], created: GhIssue[]): string[] {
  const items: string[] = [];
  created.forEach((issue, i) => {
    const draft = drafts[i];
    for (const note of draft.notes) items.push(`#${issue.number}: ${note}.`);
    if (draft.milestone && issue.milestone !== undefined && issue.milestone?.number !== draft.milestone.number) {
      const why = "GitHub drops it when the app may not push to the repository";
      items.push(`#${issue.number}: milestone \`${draft.milestone.title}\` was not set (${why}).`);
    }
    if (draft.type && issue.type !== undefined && issue.type?.name?.toLowerCase() !== draft.type.name.toLowerCase()) {
      const why = "GitHub drops a type the organisation does not have, or that the app may not set";
      items.push(`#${issue.number}: type \`${draft.type.name}\` was not set (${why}).`);
    }
  });
  return items;
}
