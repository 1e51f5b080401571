import { mayCheckProject, refusedProjects, type ProjectPolicy } from "../../domain/config/allowed-projects.js";
import { locate, parseConfig, type ConfigProblem } from "../../domain/config/parse-config.js";
import { CONFIG_PATH, type Config } from "../../domain/config/schema.js";
import { evaluate, type Diagnosis } from "../../domain/diagnosis/evaluate.js";
import { gatherLiveState } from "./gather-live-state.js";
import type { SecretFetchOptions, SecretVerification } from "../../domain/diagnosis/live-state.js";
import {
  issueVariables,
  MAX_ISSUE_VARIABLES,
  MAX_VARIABLE_NAME,
  resolveRequirements,
  type ResolvedRequirement,
} from "../../domain/diagnosis/resolve-requirements.js";
import type { HealthResult, LiveState, SecretUse, ServiceTarget } from "../../domain/diagnosis/live-state.js";
import type {
  AppliedWrites,
  ConfigRead,
  DependencyLink,
  GhComment,
  GhIssue,
  RepoTemplateFile,
  WriteBatch,
} from "../ports/issue-github.js";
import { buildFollowUpPlan } from "../../rendering/build-follow-up-plan.js";
import type {
  ExistingFollowUp,
  IssueType,
  Milestone,
  ParentIssue,
  RepoStructure,
  FollowUpPlan,
} from "../../domain/follow-up-plan/follow-up-plan.js";
import {
  DIAGNOSIS_START,
  diagnosisStateMarker,
  emptyState,
  isAppAuthored,
  readDiagnosisState,
  readFollowUpMarker,
  type AppIdentity,
  type DiagnosisState,
  type MarkerLog,
} from "../../domain/issue-state/markers.js";
import {
  recordedKinds,
  renderDiagnosisComment,
  type DiagnosisCommentInput,
  type FollowUpRef,
} from "../../rendering/render-diagnosis.js";
import { sameDiagnosisComment } from "../../rendering/same-diagnosis-comment.js";
import { renderProblemsComment } from "../../rendering/render-problems.js";
import { parseTemplate, type Template } from "../../domain/config/follow-up-template.js";
import { replaceOwnSection } from "../../rendering/own-section.js";
import { renderChangesSection, renderNotSetSection, renderProposalSection } from "../../rendering/render-plan.js";
import {
  reviewState,
  staleProposalReasons,
  toProposal,
  type Proposal,
  type Review,
} from "../../domain/follow-up-plan/to-proposal.js";
import type { TriageObserver } from "../ports/triage-observer.js";
import { readLeniently } from "../../domain/config/read-leniently.js";
import type { RateLimitStore } from "../ports/rate-limit-store.js";
import { decideFixFollowUps, type FixAction } from "../../domain/follow-up-plan/decide-fix-follow-ups.js";
import { decideWatch, DEFAULT_WATCH_MIN_EVERY_MS, watchProblems } from "../../domain/follow-up-plan/decide-watch.js";
import type { IssueWatch } from "./watch-scheduler.js";
import {
  renderFollowUpCapSection,
  renderLeftOutVariablesSection,
  renderRateLimitNotice,
} from "../../rendering/render-limits.js";

/**
 * What a triage asks of GitHub before it decides: only reads. The CLI's `plan` and the Action give a read-only client;
 * the app, its transport (REST or GraphQL); the table tests, the in-memory fake over the stand-in's world.
 */
export interface TriageReads {
  readonly owner: string;
  readonly repo: string;
  /** The config's path when it is not `.github/config-triage.yml` (the Action's `config-path`), for messages. */
  readonly configFile?: string;
  readConfig(): Promise<ConfigRead>;
  /** The config file's own text, to put line numbers on problems; undefined if it cannot be read. */
  readConfigText(): Promise<string | undefined>;
  /** Templates the repository adds or overrides; one with `problem` was not read (too many, too large). */
  readRepoTemplates(): Promise<RepoTemplateFile[]>;
  /** A file of the default branch with the date of its last commit (a snapshot's age); undefined when absent. */
  readRepoFile(path: string): Promise<{ text: string; updatedAt?: string } | undefined>;
  listComments(): Promise<GhComment[]>;
  listSubIssues(): Promise<GhIssue[]>;
  /** Issues the app opened in the repository since the parent was opened, newest first (orphans of a dead run). */
  listOwnIssues(): Promise<GhIssue[]>;
  /** Open milestones of the repository. */
  listMilestones(): Promise<Milestone[]>;
  /** Issue types of the repository; undefined where it has none. */
  listIssueTypes(): Promise<IssueType[] | undefined>;
}

/** What a triage asks of GitHub: the reads, its one comment, and its writes as one batch (see `WriteBatch`). */
export interface TriageGitHub extends TriageReads {
  createComment(body: string): Promise<GhComment>;
  updateComment(id: number, body: string): Promise<void>;
  /** A fix follow-up: its ticked body, and closed as completed when its checks pass (one request). */
  updateOtherIssue(number: number, update: { body?: string; close?: "completed"; reopen?: boolean }): Promise<void>;
  /** The one-line comment on a fix follow-up the app closed. */
  commentOnOther(number: number, body: string): Promise<void>;
  /** Applies a triage's writes: follow-ups, links, dependencies, the comment, closing. */
  applyWrites(batch: WriteBatch): Promise<AppliedWrites>;
}

/** What one triage run needs besides its GitHub port (`TriageGitHub`): the features take it from `FeatureWiring`. */
export interface TriageNeeds {
  builtInTemplates: Map<string, Template>;
  /** Reads the live state of the services (Cloud Run, or a snapshot). */
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  /** Requests a health URL (the adapter: `probeHealth`). */
  probeHealth: (url: string, timeoutMs: number) => Promise<HealthResult>;
  /** Verifies the Secret Manager versions the diagnosis relies on; absent: fixes are not verified. */
  fetchSecrets?(uses: SecretUse[], options?: Pick<SecretFetchOptions, "allowProject">): Promise<SecretVerification>;
  identity: AppIdentity;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Told when each triage starts and ends (the server counts and times them; the Action reads the outcome). */
  observer?: TriageObserver;
  /** Counts triages per issue for `max_triages_per_hour`; without one, triages are not rate-limited. */
  rateLimits?: RateLimitStore;
  /**
   * The GCP projects the operator lets each repository check (`CONFIG_TRIAGE_ALLOWED_PROJECTS`). The app sets it
   * always (no setting allows nothing); the CLI and the Action, which use their user's own Google credentials, do not.
   */
  allowedProjects?: ProjectPolicy;
  /** This issue's watch (`watch:`): a triage starts it while the issue stays open, stops it once closed or passing. */
  watch?: IssueWatch;
  /** The deployment's floor for `watch.every` (`CONFIG_TRIAGE_WATCH_MIN_EVERY`; default 5 minutes). */
  watchMinEveryMs?: number;
}

export type TriageOutcome =
  | { kind: "config-error"; problems: ConfigProblem[] }
  | { kind: "done"; diagnosis: Diagnosis; plan: FollowUpPlan; created: number[]; closed: boolean; shown?: Proposal }
  /** `apply` refused: the plan shown is not current. The comment now shows `shown`, the fresh plan. */
  | { kind: "stale"; reasons: string[]; shown: Proposal }
  /**
   * Refused by `max_triages_per_hour`; nothing was read or written. `message` says what limit and when it resets;
   * `first` is true for the first refusal of the window (the one worth reporting on the issue).
   */
  | { kind: "limited"; message: string; first: boolean };

/** How a run treats follow-ups and the parent (the trigger label and the commands differ). */
export interface TriageOptions {
  /**
   * `create`: open the missing follow-ups now; `plan`: show them in the comment with a plan id and create nothing.
   * Default: by the config's `mode` (`auto` creates, `review` plans).
   */
  followUps?: "create" | "plan";
  /** Add a "changed since the last check" section (`/triage recheck`). */
  showChanges?: boolean;
  /** Close the parent when every check passes and the config says so (default true). */
  mayClose?: boolean;
  /** `/triage apply [plan-id]`: create only if the plan shown last is still what a fresh plan gives. */
  apply?: { proposalId?: string };
  /** A scheduled recheck (`watch:`): not counted against `max_triages_per_hour`, and a close says it found it. */
  scheduled?: boolean;
}

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

/** Writes the app's one comment on the issue, or rewrites its own section in place (text people added stays). */
export async function upsertComment(
  gh: Pick<TriageGitHub, "createComment" | "updateComment">,
  memory: Pick<IssueMemory, "comment">,
  section: string,
): Promise<void> {
  if (memory.comment) {
    const body = replaceOwnSection(memory.comment.body, section, DIAGNOSIS_START);
    if (memory.comment.body !== body) await gh.updateComment(memory.comment.id, body);
  } else {
    await gh.createComment(replaceOwnSection(undefined, section, DIAGNOSIS_START));
  }
}

/** Templates: the app's own, then the repository's, which override by name. */
async function loadTemplates(
  gh: Pick<TriageReads, "readRepoTemplates">,
  builtIn: Map<string, Template>,
): Promise<{ templates: Map<string, Template>; problems: ConfigProblem[] }> {
  const templates = new Map(builtIn);
  const problems: ConfigProblem[] = [];
  for (const file of await gh.readRepoTemplates()) {
    if (file.problem) {
      problems.push(file.problem);
      continue;
    }
    const parsed = parseTemplate(file.name, file.file, file.text);
    if (parsed.ok) templates.set(file.name, parsed.value);
    else problems.push(...parsed.problems);
  }
  return { templates, problems };
}

/** What a triage run decided, before anything is written. */
export type TriageDecision =
  | { kind: "config-error"; problems: ConfigProblem[]; memory: IssueMemory }
  | {
      kind: "planned";
      config: Config;
      diagnosis: Diagnosis;
      plan: FollowUpPlan;
      memory: IssueMemory;
      live: LiveState;
      checks: ResolvedRequirement[];
      /** The fix follow-ups to close (their checks pass) or tick (some pass). */
      fixes: FixAction[];
    };

/**
 * Gather (config, templates, what the app wrote before, live state) and decide (diagnosis and plan, pure). Only reads:
 * `runTriage` applies the decision, and the CLI's `plan` prints it.
 */
export async function decideTriage(
  gh: TriageReads,
  parent: ParentIssue,
  deps: Pick<
    TriageNeeds,
    | "builtInTemplates"
    | "fetchLive"
    | "identity"
    | "probeHealth"
    | "fetchSecrets"
    | "allowedProjects"
    | "watchMinEveryMs"
  > & { log?: MarkerLog },
  configRead?: ConfigRead,
): Promise<TriageDecision> {
  const [read, comments] = await Promise.all([configRead ?? gh.readConfig(), gh.listComments()]);
  const problemsOf = (problems: ConfigProblem[]): TriageDecision => ({
    kind: "config-error",
    problems,
    memory: recall(comments, [], deps.identity, parent.number, deps.log),
  });
  if (read.kind === "invalid") return problemsOf([read.problem]);
  if (read.kind === "absent") {
    return problemsOf([
      {
        file: gh.configFile ?? CONFIG_PATH,
        path: "",
        message: "the file does not exist: add it on the default branch (see the example in the README)",
      },
    ]);
  }
  const parsed = parseConfig(read.value, { file: gh.configFile });
  if (!parsed.ok) {
    const text = await gh.readConfigText();
    const located = text ? parseConfig(read.value, { file: gh.configFile, text }) : parsed;
    return problemsOf((located as { problems: ConfigProblem[] }).problems);
  }
  const config = parsed.config;
  const file = gh.configFile ?? CONFIG_PATH;
  const tooOften = watchProblems(config, deps.watchMinEveryMs ?? DEFAULT_WATCH_MIN_EVERY_MS, file);
  if (tooOften.length) return problemsOf(locate(tooOften, await gh.readConfigText()));
  // Before anything is read with the app's Google identity: only projects the operator allowed for this repository.
  const refused = deps.allowedProjects ? refusedProjects(config, deps.allowedProjects, gh.owner, gh.repo) : [];
  if (refused.length) return problemsOf(refused);
  const checks = resolveRequirements(config, parent);
  // A secret may live in another project (`projects/P/secrets/S`): it is read only if P is allowed too.
  const policy = deps.allowedProjects;
  const fetchSecrets =
    policy && deps.fetchSecrets
      ? (uses: SecretUse[]) =>
          deps.fetchSecrets!(uses, { allowProject: (p) => mayCheckProject(policy, gh.owner, gh.repo, p) })
      : deps.fetchSecrets;
  const [{ templates, problems: templateProblems }, subIssues, live] = await Promise.all([
    loadTemplates(gh, deps.builtInTemplates),
    gh.listSubIssues(),
    gatherLiveState(config, {
      fetchLive: deps.fetchLive,
      readSnapshot: (path) => gh.readRepoFile(path),
      probe: deps.probeHealth,
      fetchSecrets,
      checks,
      evaluateOptions: { servicePairs: config.service_pairs },
    }),
  ]);
  if (templateProblems.length) return problemsOf(templateProblems);

  const memory = recall(comments, subIssues, deps.identity, parent.number, deps.log);
  const diagnosis = evaluate(checks, live, { servicePairs: config.service_pairs });
  let structure: RepoStructure | undefined;
  const plan = () =>
    buildFollowUpPlan({ config, parent, diagnosis, live, templates, existing: memory.followUps, structure });
  let planned = plan();
  if (!planned.ok) return { kind: "config-error", problems: planned.problems, memory };
  if (planned.plan.create.length) {
    // Before opening anything, look for follow-ups a run that died half-way opened but neither linked nor recorded.
    const found = recallOwnIssues(await gh.listOwnIssues(), memory.followUps, deps.identity, parent.number);
    // Milestones and issue types are read only when a follow-up to open asks for one.
    const wanted = planned.plan.create.map((d) => templates.get(d.template)!);
    const [milestones, issueTypes] = await Promise.all([
      wanted.some((t) => t.milestone) ? gh.listMilestones() : [],
      wanted.some((t) => t.type) ? gh.listIssueTypes() : undefined,
    ]);
    structure = { milestones, issueTypes };
    memory.followUps.push(...found);
    planned = plan();
    if (!planned.ok) return { kind: "config-error", problems: planned.problems, memory };
  }
  const fixes = decideFixFollowUps({
    followUps: memory.followUps,
    closesWhenFixed: (t) => templates.get(t)?.closesWhenFixed ?? false,
    rejected: (t) => memory.reviews[t] === "rejected",
    diagnosis,
    parent: parent.number,
  });
  return { kind: "planned", config, diagnosis, plan: planned.plan, memory, live, checks, fixes };
}

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
  const { config, diagnosis, plan, memory, live, checks, fixes } = decision;
  // Every follow-up the app opens waits for a maintainer's review (`/triage approve` takes the label off).
  plan.create = plan.create.map((d) => ({ ...d, labels: [...new Set([...d.labels, config.review_label])] }));
  const reviews = memory.reviews;
  const fresh = toProposal({ config, diagnosis, create: plan.create, existing: memory.followUps, reviews });
  const followUpMode = options.apply ? "create" : (options.followUps ?? (config.mode === "auto" ? "create" : "plan"));
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
    const outcome = close ? "closed" : plan.outcome === "closed" ? "comment-only" : plan.outcome;
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

  if (options.apply) {
    const reasons = staleProposalReasons(memory.state?.plan, fresh, options.apply.proposalId);
    if (reasons.length) {
      await upsertComment(gh, memory, render(fresh, false));
      deps.log.info({ issue: parent.number, reasons, plan: fresh.id }, "apply refused: the plan is not current");
      return { kind: "stale", reasons, shown: fresh };
    }
  }
  if (followUpMode === "plan") plan.create = [];
  if (plan.create.length > config.max_follow_ups) {
    extraSections.push(renderFollowUpCapSection({ wanted: plan.create.length, limit: config.max_follow_ups }));
    plan.create = plan.create.slice(0, config.max_follow_ups);
  }
  const close = plan.close && options.mayClose !== false;
  const closed = close || parent.state === "closed";
  const shown = followUpMode === "plan" ? fresh : undefined;
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
  await followWatch(deps, decideWatch({ watch: config.watch, verdict: diagnosis.verdict, closed }), parent, options);
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
  step: ReturnType<typeof decideWatch>,
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
 * Applies the fix follow-ups' decisions: a fixed one gets its ticked body and is closed as completed in one request,
 * then its one-line comment; a partly fixed one gets its ticked body. Returns the numbers closed.
 */
async function applyFixes(
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

/** A follow-up's milestone title and type name, as GitHub answered (absent when not read). */
function structureOf(issue: GhIssue): { milestone?: string; type?: string } {
  return {
    ...(issue.milestone ? { milestone: issue.milestone.title } : {}),
    ...(issue.type ? { type: issue.type.name } : {}),
  };
}

/** What the follow-ups opened now did not get: milestones and types none matched or GitHub dropped. */
function notSetItems(drafts: FollowUpPlan["create"], created: GhIssue[]): string[] {
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

const HOUR = 3_600_000;

/**
 * Counts this triage against the issue's `max_triages_per_hour`. The limit is read leniently (an invalid file still
 * counts, with the default), before anything else is read, so a refused triage costs one config read.
 */
async function checkRateLimit(
  gh: Pick<TriageReads, "owner" | "repo">,
  parent: ParentIssue,
  store: RateLimitStore,
  read: ConfigRead,
): Promise<Extract<TriageOutcome, { kind: "limited" }> | undefined> {
  const limit = readLeniently(read.kind === "found" ? read.value : undefined).maxTriagesPerHour;
  const hit = await store.hit(`${gh.owner}/${gh.repo}#${parent.number}`, HOUR);
  if (hit.count <= limit) return undefined;
  const message = renderRateLimitNotice({ number: parent.number, limit, resetInMs: hit.resetInMs, now: Date.now() });
  return { kind: "limited", message, first: hit.count === limit + 1 };
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

/** Tells the observer (if any) that a triage started and how it ended; the outcome is `error` when it throws. */
export async function observeTriage<T>(
  observer: TriageObserver | undefined,
  run: () => Promise<T>,
  outcomeOf: (result: T) => string,
): Promise<T> {
  if (!observer) return run();
  const ended = observer.triageStarted();
  let outcome = "error";
  try {
    const result = await run();
    outcome = outcomeOf(result);
    return result;
  } finally {
    ended(outcome);
  }
}
