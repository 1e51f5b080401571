import { issueVariables, MAX_ISSUE_VARIABLES, MAX_VARIABLE_NAME } from "../../domain/diagnosis/resolve-requirements.js";
import type { WatchStep } from "../../domain/follow-up-plan/decide-watch.js";
import { decideWrites } from "../../domain/follow-up-plan/decide-writes.js";
import { reviewState, type Proposal } from "../../domain/follow-up-plan/to-proposal.js";
import type { ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import {
  DIAGNOSIS_START,
  diagnosisStateMarker,
  emptyState,
  type DiagnosisState,
} from "../../domain/issue-state/markers.js";
import { replaceOwnSection } from "../../rendering/own-section.js";
import {
  recordedKinds,
  renderDiagnosisComment,
  type DiagnosisCommentInput,
  type FollowUpRef,
} from "../../rendering/render-diagnosis.js";
import { renderFollowUpCapSection, renderLeftOutVariablesSection } from "../../rendering/render-limits.js";
import { renderChangesSection, renderNotSetSection, renderProposalSection } from "../../rendering/render-plan.js";
import { renderProblemsComment } from "../../rendering/render-problems.js";
import { sameDiagnosisComment } from "../../rendering/same-diagnosis-comment.js";
import type { ConfigRead } from "../ports/issue-github.js";
import type { TriageGitHub } from "../ports/triage-github.js";
import { checkRateLimit } from "./check-rate-limit.js";
import { decideTriage } from "./decide-triage.js";
import { observeTriage } from "./observe-triage.js";
import { structureOf } from "./recall-issue-memory.js";
import type { TriageNeeds, TriageOptions, TriageOutcome } from "./triage-needs.js";
import { upsertComment } from "./upsert-diagnosis-comment.js";
import { applyFixes, dependencyLinks, notSetItems } from "./write-follow-ups.js";

// The triage's parts, where the app and the tests have always found them.
export type { TriageGitHub, TriageReads } from "../ports/triage-github.js";
export type { TriageNeeds, TriageOptions, TriageOutcome } from "./triage-needs.js";
export { decideTriage, type TriageDecision } from "./decide-triage.js";
export { observeTriage } from "./observe-triage.js";
export { recall, recallOwnIssues, type IssueMemory } from "./recall-issue-memory.js";
export { upsertComment } from "./upsert-diagnosis-comment.js";
export { dependencyLinks } from "./write-follow-ups.js";

/**
 * One triage: gather and decide (`decideTriage`) -> apply (follow-ups, the comment, closing). Writes happen only after
 * every read succeeded and every template rendered, so a user's mistake never leaves half a triage behind.
 */
async function triageOnce(
  gh: TriageGitHub,
  parent: ParentIssue,
  deps: TriageNeeds,
  configRead?: ConfigRead,
  options: TriageOptions = {},
): Promise<TriageOutcome> {
  if (deps.rateLimits && !options.scheduled) {
    configRead ??= await gh.readConfig();
    const limited = await checkRateLimit(gh, parent, deps.rateLimits, configRead);
    if (limited) {
      deps.log.warn({ issue: parent.number }, "triage refused: max_triages_per_hour reached");
      return limited;
    }
  }
  const decision = await decideTriage(gh, parent, deps, configRead);
  if (decision.kind === "config-error") {
    const { memory, problems } = decision;
    // The plan shown before is dropped: it was made from a configuration that is no longer there.
    const { plan: _plan, ...state }: DiagnosisState = memory.state ?? emptyState();
    await upsertComment(gh, memory, `${diagnosisStateMarker(state)}\n\n${renderProblemsComment(problems)}`);
    deps.log.warn({ issue: parent.number, problems: problems.length }, "configuration problems reported on the issue");
    return { kind: "config-error", problems };
  }
  const { config, diagnosis, memory, live, checks, fixes } = decision;
  const reviews = memory.reviews;
  const writes = decideWrites({
    config,
    diagnosis,
    plan: decision.plan,
    existing: memory.followUps,
    reviews,
    shownBefore: memory.state?.plan,
    parentState: parent.state,
    options,
  });
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
  // The fix follow-ups whose checks pass are closed first, so the comment lists them closed. Remembered (`autoClosed`)
  // for `/triage reopen`, which reopens them with the issue.
  const closedNow = await applyFixes(gh, fixes);
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
    const input: DiagnosisCommentInput = {
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
    return renderDiagnosisComment(input);
  };

  if (writes.kind === "stale") {
    const { reasons, fresh } = writes;
    await upsertComment(gh, memory, render(fresh, false));
    deps.log.info({ issue: parent.number, reasons, plan: fresh.id }, "apply refused: the plan is not current");
    return { kind: "stale", reasons, shown: fresh };
  }
  const { plan, close, shown } = writes;
  if (writes.capped) extraSections.push(renderFollowUpCapSection(writes.capped));
  const applied = await gh.applyWrites({
    create: plan.create,
    relink: plan.link.map((f) => ({ id: f.id, number: f.number, node_id: f.node_id })),
    dependencies(created) {
      return dependencyLinks(plan, created, memory, reviews);
    },
    comment(created, dependencies) {
      created.forEach((issue, i) => {
        const draft = plan.create[i];
        const { number, id, node_id, title } = issue;
        refs.push({ template: draft.template, number, id, node_id, title, state: "open", ...structureOf(issue) });
      });
      for (const link of [...dependencies.made, ...dependencies.found]) {
        const ref = refs.find((r) => r.number === link.blocked.number);
        if (!ref || ref.blockedBy?.includes(link.blocking.number)) continue;
        ref.blockedBy = [...(ref.blockedBy ?? []), link.blocking.number];
      }
      notSet = [...notSet, ...notSetItems(plan.create, created)];
      // Refused links are tried again by the next run: listed for this run only.
      refused = dependencies.failed.map(({ link, reason }) => {
        return `#${link.blocked.number} is blocked by #${link.blocking.number}: not recorded (${reason}).`;
      });
      const body = replaceOwnSection(memory.comment?.body, render(shown, close), DIAGNOSIS_START);
      // A repeated run that found nothing new writes nothing (the "checked at" time alone is not news).
      if (memory.comment && sameDiagnosisComment(memory.comment.body, body)) return undefined;
      return { id: memory.comment?.id, node_id: memory.comment?.node_id, body };
    },
    close: close && parent.state !== "closed" ? "completed" : undefined,
  });
  await followWatch(deps, writes.watch, parent, options);
  for (const number of applied.relinkFailed)
    deps.log.warn({ issue: parent.number, followUp: number }, "could not re-link a follow-up");
  deps.log.info(
    {
      issue: parent.number,
      verdict: diagnosis.verdict,
      problems: diagnosis.problems.length,
      created: plan.create.length,
      closed: plan.close,
      fixed: closedNow,
    },
    "triage finished",
  );
  return {
    kind: "done",
    diagnosis,
    plan: { ...plan, close },
    created: refs.filter((r) => plan.create.some((c) => c.template === r.template)).map((r) => r.number),
    closed: close,
    shown,
  };
}

/** Starts or stops the issue's watch as the triage decided (a scheduled recheck never starts one: it has one). */
async function followWatch(
  deps: TriageNeeds,
  step: WatchStep,
  parent: ParentIssue,
  options: TriageOptions,
): Promise<void> {
  if (!deps.watch) return;
  if (step.kind === "stop") {
    if (await deps.watch.stop(step.reason)) deps.log.info({ issue: parent.number, why: step.reason }, "watch stopped");
  } else if (step.kind === "start" && !options.scheduled) {
    const started = await deps.watch.start(step.timing);
    if (started.kind === "full")
      deps.log.warn({ issue: parent.number, max: started.max }, "not watched: the installation watches its maximum");
  }
}

/**
 * One triage: gather and decide (`decideTriage`) -> apply (follow-ups, the comment, closing), counted and timed in the
 * app's metrics.
 */
export function runTriage(
  gh: TriageGitHub,
  parent: ParentIssue,
  deps: TriageNeeds,
  configRead?: ConfigRead,
  options: TriageOptions = {},
): Promise<TriageOutcome> {
  return observeTriage(
    deps.observer,
    () => triageOnce(gh, parent, deps, configRead, options),
    (o) => (o.kind === "done" ? o.diagnosis.verdict : o.kind),
  );
}
