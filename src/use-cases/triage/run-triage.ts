import type { WatchStep } from "../../domain/follow-up-plan/decide-watch.js";
import { decideWrites } from "../../domain/follow-up-plan/decide-writes.js";
import type { ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import { diagnosisStateMarker, emptyState, type DiagnosisState } from "../../domain/issue-state/markers.js";
import { renderProblemsComment } from "../../rendering/render-problems.js";
import type { ConfigRead } from "../ports/issue-github.js";
import type { TriageGitHub } from "../ports/triage-github.js";
import { checkRateLimit } from "./check-rate-limit.js";
import { decideTriage } from "./decide-triage.js";
import { observeTriage } from "./observe-triage.js";
import { composeDiagnosisComment } from "./compose-diagnosis-comment.js";
import type { TriageNeeds, TriageOptions, TriageOutcome } from "./triage-needs.js";
import { upsertComment } from "./upsert-diagnosis-comment.js";
import { applyFixes, dependencyLinks } from "./write-follow-ups.js";

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
  const { config, diagnosis, memory, fixes } = decision;
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
  // The fix follow-ups whose checks pass are closed first, so the comment lists them closed.
  const closedNow = await applyFixes(gh, fixes);
  const comment = composeDiagnosisComment({ decision, parent, options, closedNow });
  if (writes.kind === "stale") {
    const { reasons, fresh } = writes;
    await upsertComment(gh, memory, comment.render(fresh, false));
    deps.log.info({ issue: parent.number, reasons, plan: fresh.id }, "apply refused: the plan is not current");
    return { kind: "stale", reasons, shown: fresh };
  }
  const { plan, close, shown } = writes;
  if (writes.capped) comment.capped(writes.capped);
  const applied = await gh.applyWrites({
    create: plan.create,
    relink: plan.link.map((f) => ({ id: f.id, number: f.number, node_id: f.node_id })),
    dependencies(created) {
      return dependencyLinks(plan, created, memory, reviews);
    },
    comment(created, dependencies) {
      return comment.afterWrites(plan.create, created, dependencies, shown, close);
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
    created: comment.refs.filter((r) => plan.create.some((c) => c.template === r.template)).map((r) => r.number),
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
