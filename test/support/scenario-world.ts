/**
 * The scenario (issue #930 of netra-systems/netra-apex) as a world for table tests of the use cases: the repository
 * with its config, milestones and issue types, the people and their roles, and helpers that run a comment's commands
 * or a triage on the in-memory fake GitHub (`fake-github.ts`) and read back what a person would see.
 */
import { parseCommands } from "../../src/use-cases/slash-commands/parse-commands.js";
import type { CloudRunClients } from "../../src/adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../../src/adapters/cloud-run/fetch-live-state.js";
import { probeHealth } from "../../src/adapters/cloud-run/probe-health.js";
import type { CommandIssue } from "../../src/use-cases/slash-commands/command.js";
import { commands } from "../../src/use-cases/slash-commands/command-list.js";
import { type CommandJob, runCommandJob } from "../../src/use-cases/slash-commands/slash-commands.js";
import { withBoundedWrites } from "../../src/adapters/github/bounded-writes.js";
import { createMemoryRateLimitStore } from "../../src/adapters/rate-limits/rate-limit-store.js";
import { writeMarker } from "../../src/domain/issue-state/markers.js";
import { loadBuiltInTemplates } from "../../src/rendering/templates.js";
import type { TriageNeeds } from "../../src/use-cases/triage/run-triage.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";
import { addScenarioMilestones } from "../../dev/scenario-structure.js";
import { type FakeGitHub, fakeGitHub, issueOf, withAnswers } from "../../dev/fake-github.js";
import { GitHubWorld, type Role, type StandInComment, type StandInIssue } from "../../dev/github-world.js";

export const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;
/** The built-in follow-ups of the scenario's config, in its order. */
export const TEMPLATES = ["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"];

/** People of the scenario, by role; `passer-by` is no collaborator (a public repository: GitHub says read). */
export const PEOPLE: Record<string, Role> = { reader: "read", triager: "triage", writer: "write", lead: "maintain" };

/**
 * The scenario's world: the repository with `config` (the scenario's by default), its milestones and GitHub's default
 * issue types, and the open issue #930 that asks for a triage.
 */
export function scenarioWorld(config: string | null = scenarioConfigYaml): GitHubWorld {
  const world = new GitHubWorld();
  world.addRepo(FULL, {
    files: config === null ? {} : { ".github/config-triage.yml": config },
    collaborators: PEOPLE,
    issueTypes: ["Task", "Bug", "Feature"],
  });
  addScenarioMilestones(world, FULL);
  world.addIssue(FULL, { ...scenarioIssue, user: { login: "sre-lead", type: "User" } });
  return world;
}

/** A log that keeps what the use case logged, for assertions. */
export function memoryLog(): TriageNeeds["log"] & { lines: Array<{ level: string; msg?: string; obj: object }> } {
  const lines: Array<{ level: string; msg?: string; obj: object }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
  };
}

/** What the use cases need besides GitHub: the built-in templates, Cloud Run through `clients`, who the app is. */
export function scenarioDeps(
  world: GitHubWorld,
  clients: CloudRunClients,
  extra: Partial<TriageNeeds> = {},
): TriageNeeds {
  return {
    builtInTemplates: loadBuiltInTemplates(),
    fetchLive: (targets) => fetchLiveState(clients, targets, { timeoutMs: 5000 }),
    identity: { appId: world.appId },
    probeHealth,
    log: memoryLog(),
    rateLimits: createMemoryRateLimitStore(),
    ...extra,
  };
}

/** The ports for issue `number`, bounded like the app's (`withBoundedWrites`), with `answers` replacing calls. */
export function portsFor(world: GitHubWorld, number: number, answers: Partial<FakeGitHub> = {}): FakeGitHub {
  return withBoundedWrites(withAnswers(fakeGitHub(world, FULL, number), answers));
}

/** The issue a comment is written on, as the webhook payload carries it. */
export function payloadIssue(world: GitHubWorld, number: number): CommandIssue & { pull_request?: unknown } {
  const repo = world.repoNamed(FULL);
  const issue = world.issueNumbered(repo, number);
  return { ...issueOf(repo, issue), html_url: `https://github.com/${FULL}/issues/${number}`, labels: issue.labels };
}

/** What a person sees after a comment: the replies posted after it (not the diagnosis), its reactions, the log. */
export interface CommentOutcome {
  replies: string[];
  reactions: string[];
  log: ReturnType<typeof memoryLog>["lines"];
}

/**
 * `author` comments `body` on issue `on` (#930 by default): the app runs its commands as the webhook would
 * (`runCommandJob`) on the fake GitHub, and the outcome is read back from the world.
 */
export async function comment(
  world: GitHubWorld,
  clients: CloudRunClients,
  body: string,
  o: {
    author?: string;
    on?: number;
    answers?: Partial<FakeGitHub>;
    deps?: Partial<TriageNeeds>;
    issue?: Partial<CommandJob["issue"]>;
  } = {},
): Promise<CommentOutcome> {
  const on = o.on ?? scenarioIssue.number;
  const author = o.author ?? "writer";
  const written = world.addComment(FULL, on, { body, user: { login: author, type: "User" } });
  const log = memoryLog();
  const deps = scenarioDeps(world, clients, { log, ...o.deps });
  const job: CommandJob = {
    issue: { ...payloadIssue(world, on), ...o.issue },
    commentId: written.id,
    author,
    commands: parseCommands(body),
  };
  const gh = portsFor(world, on, o.answers);
  await runCommandJob(job, { gh, ghFor: (n) => portsFor(world, n), deps, commands });
  const after = world.issue(FULL, on)!.comments;
  return {
    replies: after
      .slice(after.indexOf(written) + 1)
      .filter((c) => c !== diagnosisOf(world, on))
      .map((c) => c.body),
    reactions: written.reactions.map((r) => r.content),
    log: log.lines,
  };
}

/** The app's diagnosis comment on issue `number` (its own, by its app id), if any. */
export function diagnosisOf(world: GitHubWorld, number = scenarioIssue.number): StandInComment | undefined {
  return world
    .issue(FULL, number)!
    .comments.find((c) => c.performed_via_github_app?.id === world.appId && c.body.includes("config-triage:diagnosis"));
}

/** The follow-ups of #930 as a person sees them: number, title, state, labels, milestone title, type, blockers. */
export function followUpsOf(world: GitHubWorld, number = scenarioIssue.number) {
  const repo = world.repoNamed(FULL);
  const parent = world.issueNumbered(repo, number);
  return world.subIssuesOf(parent).map(({ issue }: { issue: StandInIssue }) => ({
    number: issue.number,
    title: issue.title,
    state: `${issue.state}${issue.state_reason && issue.state === "closed" ? `/${issue.state_reason}` : ""}`,
    labels: issue.labels,
    milestone: repo.milestones.find((m) => m.number === issue.milestone)?.title,
    type: issue.type ?? undefined,
    blockedBy: (issue.blocked_by ?? []).map((id) => repo.issues.find((i) => i.id === id)?.number),
  }));
}

/**
 * Follow-up issues the app opened earlier for #930, one per template, as sub-issues (#931 on): what a world looks like
 * after an earlier triage. `extra` sets fields per template (a closed or rejected one).
 */
export function addFollowUps(
  world: GitHubWorld,
  extra: Record<string, Partial<StandInIssue> & { rejected?: boolean }> = {},
  templates = TEMPLATES,
): StandInIssue[] {
  const parent = world.issue(FULL, scenarioIssue.number)!;
  return templates.map((template) => {
    const { rejected, ...fields } = extra[template] ?? {};
    const marker = writeMarker("follow-up", { parent: parent.number, template, ...(rejected ? { rejected } : {}) });
    const issue = world.addIssue(FULL, {
      title: template,
      body: `${marker}\nFollow-up of #${parent.number}`,
      labels: ["config-triage", "needs-review"],
      user: world.bot.user,
      performed_via_github_app: world.bot.app,
      parent: parent.id,
      ...fields,
    });
    return issue;
  });
}

/**
 * The app's diagnosis comment as an earlier run left it, with `state` in its marker (`v: 1`, no follow-ups and no
 * problems unless given) and `text` for its visible part.
 */
export function addDiagnosis(
  world: GitHubWorld,
  state: object,
  text = "old diagnosis\n\n#### Follow-up issues\n- [ ] #931 — open\n\nThis issue stays open.",
  o: { by?: "app" | "mallory"; around?: [string, string] } = {},
): StandInComment {
  const marker = writeMarker("diagnosis", { v: 1, followUps: [], problems: [], ...state });
  const own = `${marker}\n${text}\n<!-- config-triage:end -->`;
  const [before, after] = o.around ?? ["", ""];
  const byApp = (o.by ?? "app") === "app";
  return world.addComment(FULL, scenarioIssue.number, {
    body: `${before}${own}${after}`,
    user: byApp ? world.bot.user : { login: "mallory", type: "User" },
    performed_via_github_app: byApp ? world.bot.app : null,
  });
}

/** The follow-ups as a run records them in its state (#933 waits for #932, as the scenario's plan says). */
export function recordedFollowUps(issues: StandInIssue[]) {
  return issues.map((i, k) => ({
    template: TEMPLATES[k],
    number: i.number,
    id: i.id,
    ...(TEMPLATES[k] === "flow-documentation" ? { blockedBy: [issues[1].number] } : {}),
  }));
}
