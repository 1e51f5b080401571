import { issueVariables, MAX_ISSUE_VARIABLES, MAX_VARIABLE_NAME } from "../../domain/diagnosis/resolve-requirements.js";
import type { FollowUpPlan, ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import { reviewState, type Proposal } from "../../domain/follow-up-plan/to-proposal.js";
import { DIAGNOSIS_START } from "../../domain/issue-state/markers.js";
import { replaceOwnSection } from "../../rendering/own-section.js";
import {
  recordedKinds,
  renderDiagnosisComment,
  type DiagnosisCommentInput,
  type FollowUpRef,
} from "../../rendering/render-diagnosis.js";
import { renderFollowUpCapSection, renderLeftOutVariablesSection } from "../../rendering/render-limits.js";
import { renderChangesSection, renderNotSetSection, renderProposalSection } from "../../rendering/render-plan.js";
import { sameDiagnosisComment } from "../../rendering/same-diagnosis-comment.js";
import type { CommentWrite, DependencyResult, GhIssue } from "../ports/issue-github.js";
import type { TriageDecision } from "./decide-triage.js";
import { structureOf } from "./recall-issue-memory.js";
import type { TriageOptions } from "./triage-needs.js";
import { notSetItems } from "./write-follow-ups.js";

/**
 * The diagnosis comment of one run, as the run learns what it wrote: the follow-ups it knew, those it closed
 * (`closedNow`), then those it opened and the dependencies GitHub recorded or refused.
 */
export function composeDiagnosisComment(input: {
  decision: Extract<TriageDecision, { kind: "planned" }>;
  parent: ParentIssue;
  options: TriageOptions;
  /** The fix follow-ups this run closed: remembered (`autoClosed`) for `/triage reopen`. */
  closedNow: number[];
}) {
  const { decision, parent, options, closedNow } = input;
  const { config, diagnosis, memory, live, checks } = decision;
  const reviews = memory.reviews;
  const recordedLinks = new Map((memory.state?.followUps ?? []).map((f) => [f.number, f.blockedBy ?? []]));
  const refs: FollowUpRef[] = memory.followUps.map((f) => ({ ...f, blockedBy: recordedLinks.get(f.number) }));
  const order = config.follow_ups.map((f) => f.template);
  const extraSections: string[] = [];
  const named = issueVariables(config, parent);
  if (named.leftOut.length) {
    const limits = { max: MAX_ISSUE_VARIABLES, maxName: MAX_VARIABLE_NAME };
    extraSections.push(renderLeftOutVariablesSection({ leftOut: named.leftOut, taken: named.taken.length, ...limits }));
  }
  // What follow-ups did not get when they were opened: remembered (it stays true), so a rerun rewrites nothing.
  let notSet = memory.state?.notSet ?? [];
  let refused: string[] = [];
  for (const ref of refs) if (closedNow.includes(ref.number)) ref.state = "closed";
  const autoClosed = [...(memory.state?.autoClosed ?? []), ...closedNow].filter(
    (n, i, all) => all.indexOf(n) === i && refs.some((r) => r.number === n && r.state === "closed"),
  );
  const render = (shown: Proposal | undefined, close: boolean) => {
    const list = refs.map((r) => ({ ...r, review: reviewState(r, reviews) }));
    list.sort((a, b) => order.indexOf(a.template) - order.indexOf(b.template));
    const sections = [
      options.showChanges
        ? renderChangesSection(memory.state?.problems, diagnosis.problems, recordedKinds(memory.state))
        : "",
      shown ? renderProposalSection(shown) : "",
      ...extraSections,
      renderNotSetSection([...notSet, ...refused]),
    ].filter(Boolean);
    const { outcome: planned } = decision.plan;
    const outcome = close ? "closed" : planned === "closed" ? "comment-only" : planned;
    const comment: DiagnosisCommentInput = {
      diagnosis,
      followUps: list,
      outcome,
      proposal: shown,
      reviews,
      sections,
      live,
      checks,
      notSet,
      autoClosed,
      scheduled: options.scheduled,
    };
    return renderDiagnosisComment(comment);
  };
  return {
    /** The follow-ups the comment lists (with those opened once `afterWrites` ran). */
    refs,
    /** The comment's text (its own section) with `shown` as the proposal, the parent closed or not. */
    render,
    /** Notes that `max_follow_ups` left some follow-ups for the next run. */
    capped(capped: { wanted: number; limit: number }) {
      extraSections.push(renderFollowUpCapSection(capped));
    },
    /** The comment to write once the follow-ups are open; undefined when it would say nothing new. */
    afterWrites(
      drafts: FollowUpPlan["create"],
      created: GhIssue[],
      dependencies: DependencyResult,
      shown: Proposal | undefined,
      close: boolean,
    ): CommentWrite | undefined {
      created.forEach((issue, i) => {
        const draft = drafts[i];
        const { number, id, node_id, title } = issue;
        refs.push({ template: draft.template, number, id, node_id, title, state: "open", ...structureOf(issue) });
      });
      for (const link of [...dependencies.made, ...dependencies.found]) {
        const ref = refs.find((r) => r.number === link.blocked.number);
        if (!ref || ref.blockedBy?.includes(link.blocking.number)) continue;
        ref.blockedBy = [...(ref.blockedBy ?? []), link.blocking.number];
      }
      notSet = [...notSet, ...notSetItems(drafts, created)];
      // Refused links are tried again by the next run: listed for this run only.
      refused = dependencies.failed.map(({ link, reason }) => {
        return `#${link.blocked.number} is blocked by #${link.blocking.number}: not recorded (${reason}).`;
      });
      const body = replaceOwnSection(memory.comment?.body, render(shown, close), DIAGNOSIS_START);
      // A repeated run that found nothing new writes nothing (the "checked at" time alone is not news).
      if (memory.comment && sameDiagnosisComment(memory.comment.body, body)) return undefined;
      return { id: memory.comment?.id, node_id: memory.comment?.node_id, body };
    },
  };
}
