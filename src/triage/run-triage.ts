import { parseConfig, type ConfigProblem } from "../config/parse-config.js";
import { CONFIG_PATH, type Config } from "../config/schema.js";
import { evaluate, type Diagnosis } from "../diagnosis/evaluate.js";
import { planChecks, targetsToFetch } from "../diagnosis/plan-checks.js";
import type { LiveState, ServiceTarget } from "../diagnosis/types.js";
import type { ConfigRead, GhComment, GhIssue, IssueGitHub } from "../github/issue-github.js";
import { buildPlan, type ExistingFollowUp, type ParentIssue, type TriagePlan } from "../plan/build-plan.js";
import { isAppAuthored, readMarker, writeMarker, type AppIdentity } from "../render/markers.js";
import { renderDiagnosisComment, type DiagnosisState, type FollowUpRef } from "../render/render-diagnosis.js";
import { renderProblemsComment } from "../render/render-problems.js";
import { parseTemplate, type Template } from "../render/templates.js";

/** What a triage run needs besides GitHub. */
export interface TriageDeps {
  builtInTemplates: Map<string, Template>;
  /** Reads the live state of the services (Cloud Run, or a snapshot). */
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  identity: AppIdentity;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export type TriageOutcome =
  | { kind: "config-error"; problems: ConfigProblem[] }
  | { kind: "done"; diagnosis: Diagnosis; plan: TriagePlan; created: number[]; closed: boolean };

/** What the app has already written on this issue: its diagnosis comment and the follow-ups it opened. */
export interface IssueMemory {
  comment?: GhComment;
  state?: DiagnosisState;
  followUps: ExistingFollowUp[];
}

/** Finds the app's own diagnosis comment and follow-ups. Markers in text the app did not write are ignored. */
export function recall(comments: GhComment[], subIssues: GhIssue[], identity: AppIdentity, parent: number): IssueMemory {
  const comment = comments.find((c) => isAppAuthored(c, identity) && readMarker("diagnosis", c.body));
  const state = readMarker<DiagnosisState>("diagnosis", comment?.body);
  const followUps: ExistingFollowUp[] = [];
  for (const issue of subIssues) {
    const marker = readMarker<{ parent?: number; template?: string }>("follow-up", issue.body);
    if (!marker?.template || marker.parent !== parent || !isAppAuthored(issue, identity)) continue;
    const state = issue.state === "closed" ? "closed" : "open";
    followUps.push({ template: marker.template, id: issue.id, number: issue.number, title: issue.title, state, linked: true });
  }
  // Follow-ups the last run recorded but which are not sub-issues (the link failed, or someone removed it).
  for (const f of state?.followUps ?? []) {
    if (!followUps.some((e) => e.template === f.template)) {
      followUps.push({ template: f.template, id: f.id, number: f.number, title: "", state: "open", linked: false });
    }
  }
  return { comment, state, followUps };
}

/** Writes (or rewrites in place) the app's one comment on the issue. */
async function upsertComment(gh: IssueGitHub, memory: IssueMemory, body: string): Promise<void> {
  if (memory.comment) {
    if (memory.comment.body !== body) await gh.updateComment(memory.comment.id, body);
  } else {
    await gh.createComment(body);
  }
}

/** Templates: the app's own, then the repository's, which override by name. */
async function loadTemplates(gh: IssueGitHub, builtIn: Map<string, Template>): Promise<{ templates: Map<string, Template>; problems: ConfigProblem[] }> {
  const templates = new Map(builtIn);
  const problems: ConfigProblem[] = [];
  for (const file of await gh.readRepoTemplates()) {
    const parsed = parseTemplate(file.name, file.file, file.text);
    if (parsed.ok) templates.set(file.name, parsed.value);
    else problems.push(parsed.problem);
  }
  return { templates, problems };
}

/** What a triage run decided, before anything is written. */
export type TriageDecision =
  | { kind: "config-error"; problems: ConfigProblem[]; memory: IssueMemory }
  | { kind: "planned"; config: Config; diagnosis: Diagnosis; plan: TriagePlan; memory: IssueMemory };

/**
 * Gather (config, templates, what the app wrote before, live state) and decide (diagnosis and plan, pure). Only reads:
 * `runTriage` applies the decision, and the CLI's `plan` prints it.
 */
export async function decideTriage(
  gh: IssueGitHub,
  parent: ParentIssue,
  deps: Pick<TriageDeps, "builtInTemplates" | "fetchLive" | "identity">,
  configRead?: ConfigRead,
): Promise<TriageDecision> {
  const [read, comments] = await Promise.all([configRead ?? gh.readConfig(), gh.listComments()]);
  const problemsOf = (problems: ConfigProblem[]): TriageDecision => ({
    kind: "config-error",
    problems,
    memory: recall(comments, [], deps.identity, parent.number),
  });
  if (read.kind === "invalid") return problemsOf([read.problem]);
  if (read.kind === "absent") {
    return problemsOf([
      { file: CONFIG_PATH, path: "", message: "the file does not exist: add it on the default branch (see the example in the README)" },
    ]);
  }
  const parsed = parseConfig(read.value);
  if (!parsed.ok) {
    const text = await gh.readConfigText();
    return problemsOf(text ? (parseConfig(read.value, { text }) as { problems: ConfigProblem[] }).problems : parsed.problems);
  }
  const config = parsed.config;
  const checks = planChecks(config, parent);
  const [{ templates, problems: templateProblems }, subIssues, live] = await Promise.all([
    loadTemplates(gh, deps.builtInTemplates),
    gh.listSubIssues(),
    deps.fetchLive(targetsToFetch(checks), config),
  ]);
  if (templateProblems.length) return problemsOf(templateProblems);

  const memory = recall(comments, subIssues, deps.identity, parent.number);
  const diagnosis = evaluate(checks, live);
  const planned = buildPlan({ config, parent, diagnosis, live, templates, existing: memory.followUps });
  if (!planned.ok) return { kind: "config-error", problems: planned.problems, memory };
  return { kind: "planned", config, diagnosis, plan: planned.plan, memory };
}

/**
 * One triage: gather and decide (`decideTriage`) -> apply (follow-ups, the comment, closing). Writes happen only after
 * every read succeeded and every template rendered, so a user's mistake never leaves half a triage behind.
 */
export async function runTriage(gh: IssueGitHub, parent: ParentIssue, deps: TriageDeps, configRead?: ConfigRead): Promise<TriageOutcome> {
  const decision = await decideTriage(gh, parent, deps, configRead);
  if (decision.kind === "config-error") {
    const { memory, problems } = decision;
    const state: DiagnosisState = memory.state ?? { v: 1, followUps: [], problems: [] };
    await upsertComment(gh, memory, `${writeMarker("diagnosis", state)}\n\n${renderProblemsComment(problems)}`);
    deps.log.warn({ issue: parent.number, problems: problems.length }, "configuration problems reported on the issue");
    return { kind: "config-error", problems };
  }
  const { config, diagnosis, plan, memory } = decision;

  const refs: FollowUpRef[] = memory.followUps.map((f) => ({ ...f }));
  for (const draft of plan.create) {
    const issue = await gh.createIssue(draft);
    await gh.addSubIssue(issue.id);
    refs.push({ template: draft.template, number: issue.number, id: issue.id, title: issue.title, state: "open" });
  }
  for (const unlinked of plan.link) {
    await gh.addSubIssue(unlinked.id).catch((error) => {
      deps.log.warn({ issue: parent.number, followUp: unlinked.number, status: (error as { status?: number }).status }, "could not re-link a follow-up");
    });
  }
  const order = config.follow_ups.map((f) => f.template);
  refs.sort((a, b) => order.indexOf(a.template) - order.indexOf(b.template));
  await upsertComment(gh, memory, renderDiagnosisComment({ diagnosis, followUps: refs, outcome: plan.outcome }));
  if (plan.close) await gh.closeIssue("completed");
  deps.log.info(
    { issue: parent.number, verdict: diagnosis.verdict, problems: diagnosis.problems.length, created: plan.create.length, closed: plan.close },
    "triage finished",
  );
  return { kind: "done", diagnosis, plan, created: refs.filter((r) => plan.create.some((c) => c.template === r.template)).map((r) => r.number), closed: plan.close };
}
