import { mayCheckProject, refusedProjects } from "../../domain/config/allowed-projects.js";
import { parseTemplate, type Template } from "../../domain/config/follow-up-template.js";
import { locate, parseConfig, type ConfigProblem } from "../../domain/config/parse-config.js";
import { CONFIG_PATH, type Config } from "../../domain/config/schema.js";
import { evaluate, type Diagnosis } from "../../domain/diagnosis/evaluate.js";
import type { LiveState, SecretUse } from "../../domain/diagnosis/live-state.js";
import { resolveRequirements, type ResolvedRequirement } from "../../domain/diagnosis/resolve-requirements.js";
import { decideFixFollowUps, type FixAction } from "../../domain/follow-up-plan/decide-fix-follow-ups.js";
import { DEFAULT_WATCH_MIN_EVERY_MS, watchProblems } from "../../domain/follow-up-plan/decide-watch.js";
import type { ParentIssue, RepoStructure, FollowUpPlan } from "../../domain/follow-up-plan/follow-up-plan.js";
import type { MarkerLog } from "../../domain/issue-state/markers.js";
import { buildFollowUpPlan } from "../../rendering/build-follow-up-plan.js";
import type { ConfigRead } from "../ports/issue-github.js";
import type { TriageReads } from "../ports/triage-github.js";
import { gatherLiveState } from "./gather-live-state.js";
import { recall, recallOwnIssues, type IssueMemory } from "./recall-issue-memory.js";
import type { TriageNeeds } from "./triage-needs.js";

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
