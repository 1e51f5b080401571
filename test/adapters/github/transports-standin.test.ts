/**
 * Both transports, end to end against the GitHub stand-in over loopback (REST checked against GitHub's OpenAPI
 * description, GraphQL run by graphql-js on GitHub's published schema, ids of today's sizes) and the Cloud Run
 * emulator: the same triage leaves GitHub in the same state, in a number of requests that does not grow with the
 * follow-ups over GraphQL, and a repeated run writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Probot, ProbotOctokit } from "probot";
import { createCloudRunClients, type CloudRunClients } from "../../../src/adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { resetGraphqlFallbacks } from "../../../src/adapters/github/fall-back-to-rest.js";
import { createApp } from "../../../src/entry/create-app.js";
import { loadBuiltInTemplates } from "../../../src/rendering/templates.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn, type RecordedRequest } from "../../../dev/github-standin.js";
import { privateKey } from "../../support/probot.js";
import { EXAMPLE_SENDER, labeledPayload } from "../../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";
import { addScenarioMilestones } from "../../../dev/scenario-structure.js";

const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;
const INSTALLATION = 1;

let emulator: CloudRunEmulator;
/** Shifts the live check's clock, so a repeated run renders a different "checked at" time. */
let clockOffsetMs = 0;
let clients: CloudRunClients;

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
  clients = createCloudRunClients(emulator.address);
});

afterAll(async () => {
  await clients.close();
  await emulator.close();
});

/** A stand-in with the scenario's repository and issue #930, and `extra` more follow-up templates configured. */
async function standInWith(extra = 0): Promise<GitHubStandIn> {
  const github = await startGitHubStandIn({ appId: 1 });
  const files: Record<string, string> = { ".github/config-triage.yml": scenarioConfigYaml };
  for (let i = 0; i < extra; i++) {
    files[`.github/config-triage/extra-${i}.md`] =
      `---\ntitle: "Extra follow-up ${i} of #{{parent.number}}"\nlabels: ["config-triage", ` +
      `"extra"]\n---\nMore work split out of #{{parent.number}}.\n`;
    files[".github/config-triage.yml"] += `  - extra-${i}\n`;
  }
  // The example payload's sender may label for a triage.
  github.addRepo(FULL, {
    files,
    installationId: INSTALLATION,
    collaborators: { [EXAMPLE_SENDER]: "triage" },
    issueTypes: ["Task", "Bug", "Feature"],
  });
  addScenarioMilestones(github, FULL);
  github.addIssue(FULL, {
    number: scenarioIssue.number,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "sre-lead", type: "User" },
  });
  return github;
}

function probotFor(github: GitHubStandIn, transport: "graphql" | "rest"): Probot {
  const probot = new Probot({
    appId: 1,
    privateKey,
    logLevel: "fatal",
    baseUrl: github.url,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  void probot.load(
    createApp({
      builtInTemplates: loadBuiltInTemplates(),
      fetchLive: async (targets) => ({
        ...(await fetchLiveState(clients, targets, { timeoutMs: 5000 })),
        fetchedAt: new Date(Date.now() + clockOffsetMs).toISOString(),
      }),
      identity: { appId: 1 },
      transport,
    }),
  );
  return probot;
}

async function label(probot: Probot, state: "open" | "closed" = "open") {
  const payload = labeledPayload({ ...SCENARIO_REPO, ...scenarioIssue, label: "triage:config" }) as any;
  payload.installation.id = INSTALLATION;
  payload.issue.state = state;
  await probot.receive({ id: `d-${Math.random()}`, name: "issues", payload });
}

const isGraphql = (r: RecordedRequest) => r.operationId === "graphql";
const isMutation = (r: RecordedRequest) =>
  isGraphql(r) && /^\s*mutation\b/.test(String((r.body as { query?: string })?.query));
/** Writes: every REST request that is not a GET, and every GraphQL mutation (the token and `GET /app` are not). */
const writes = (rs: RecordedRequest[]) =>
  rs.filter((r) => (isGraphql(r) ? isMutation(r) : r.method !== "GET" && !r.path.endsWith("/access_tokens")));
/** The triage's requests to read and write the issue: not the installation token nor the app's slug (each once per
 * process or hour), nor the sender's permission (one REST GET before any triage, whatever the transport). */
const triageRequests = (rs: RecordedRequest[]) =>
  rs.filter((r) => !r.path.endsWith("/access_tokens") && r.path !== "/app" && !r.path.endsWith("/permission"));

/** What a person sees on GitHub: the follow-ups (title, labels, linked), the app's comment, the parent's state. */
function visibleState(github: GitHubStandIn) {
  const parent = github.issue(FULL, scenarioIssue.number)!;
  const children = github.issues(FULL).filter((i) => i.number !== parent.number);
  return {
    parent: { state: parent.state, state_reason: parent.state_reason, subIssues: parent.sub_issues.length },
    children: children.map((c) => ({
      number: c.number,
      title: c.title,
      labels: [...c.labels].sort(),
      linked: c.parent === parent.id,
      by: c.user.login,
      body: c.body,
      milestone: c.milestone,
      type: c.type,
      blockedBy: (c.blocked_by ?? []).map((id) => children.find((b) => b.id === id)?.number),
    })),
    comments: parent.comments.map((c) => ({
      by: c.user.login,
      app: c.performed_via_github_app?.id,
      body: c.body.replace(/ at \d{4}-\d\d-\d\d \d\d:\d\d UTC\./, " at <time>."),
    })),
  };
}

describe.each([4, 10])("the scenario with %i follow-ups, both transports against the stand-in", (followUps) => {
  const extra = followUps - 4;
  const runs: Record<
    string,
    { github: GitHubStandIn; first: RecordedRequest[]; second: RecordedRequest[]; closed: RecordedRequest[] }
  > = {};

  beforeAll(async () => {
    resetGraphqlFallbacks();
    for (const transport of ["rest", "graphql"] as const) {
      for (const s of scenarioServices().services) emulator.setService(s);
      const github = await standInWith(extra);
      const probot = probotFor(github, transport);
      await label(probot);
      const first = github.requests.splice(0);
      clockOffsetMs = 3 * 3600_000;
      await label(probot);
      clockOffsetMs = 0;
      const second = github.requests.splice(0);
      for (const s of scenarioServices({ fixed: true }).services) emulator.setService(s);
      await label(probot);
      await label(probot, "closed");
      const closed = github.requests.splice(0);
      runs[transport] = { github, first, second, closed };
    }
  });

  afterAll(async () => {
    for (const run of Object.values(runs)) await run.github.close();
  });

  it("leaves GitHub in the same state over GraphQL as over REST, with no request GitHub would refuse", () => {
    const rest = visibleState(runs.rest.github);
    const graphql = visibleState(runs.graphql.github);
    expect(rest.children).toHaveLength(followUps);
    expect(rest.children.every((c) => c.linked && c.by === "config-triage[bot]")).toBe(true);
    expect(rest.parent).toEqual({ state: "closed", state_reason: "completed", subIssues: followUps });
    // The plan's structure: the documentation waits for the consolidation, milestones by due date, types set.
    const byTemplate = (t: string) => rest.children.find((c) => c.body?.includes(`"template":"${t}"`))!;
    expect(byTemplate("flow-documentation")).toMatchObject({
      blockedBy: [byTemplate("ssot-consolidation").number],
      milestone: 2,
      type: "Task",
    });
    expect(byTemplate("health-monitoring")).toMatchObject({ blockedBy: [], milestone: 3, type: "Task" });
    expect(byTemplate("immediate-fix")).toMatchObject({ blockedBy: [], milestone: null, type: "Bug" });
    expect(byTemplate("flow-documentation").body).toContain(
      `- [ ] Blocked by #${byTemplate("ssot-consolidation").number} — Consolidate`,
    );
    expect(graphql).toEqual(rest);
    for (const run of Object.values(runs)) {
      expect(run.github.violations).toEqual([]);
      expect(run.github.responseViolations).toEqual([]);
    }
  });

  // A constant number of requests: one read, the milestones and issue types, one document of the missing labels, one of
  // follow-ups per dependency level, one request per dependency, one of the comment.
  it("over GraphQL, a first triage: one read, milestones, types, labels, follow-ups by level, the comment", () => {
    const requests = triageRequests(runs.graphql.first);
    const named = requests.map((r) => {
      const operation = String((r.body as { query?: string })?.query ?? "").match(/^\s*(query|mutation) (\w+)/)?.[2];
      return `${r.method} ${r.path} ${operation ?? ""}`.trim();
    });
    expect(named.slice(0, 3).sort()).toEqual([
      "GET /repos/netra-systems/netra-apex/issue-types",
      "GET /repos/netra-systems/netra-apex/milestones",
      "POST /graphql ConfigTriageRead",
    ]);
    expect(named.slice(3)).toEqual([
      "POST /graphql ConfigTriageLabels",
      // The consolidation (and what comes before it) first, so the documentation's body names it by number.
      "POST /graphql ConfigTriageFollowUps",
      "POST /graphql ConfigTriageFollowUps",
      "POST /repos/netra-systems/netra-apex/issues/933/dependencies/blocked_by",
      "POST /graphql ConfigTriageFinish",
    ]);
    // Over REST: the reads, then two writes per follow-up, one per dependency, then the comment.
    expect(writes(runs.rest.first)).toHaveLength(2 * followUps + 1 + 1);
  });

  it("writes nothing on a repeated run that finds nothing new, over either transport", () => {
    expect(writes(runs.graphql.second)).toEqual([]);
    expect(triageRequests(runs.graphql.second)).toHaveLength(1);
    expect(writes(runs.rest.second)).toEqual([]);
  });

  it("closes the parent in the same document as the comment, and does not close a closed issue again", () => {
    const mutations = runs.graphql.closed.filter(isMutation);
    expect(mutations).toHaveLength(1);
    expect(String((mutations[0].body as { query: string }).query)).toMatch(/updateIssueComment[\s\S]*closeIssue/);
  });
});

describe.each([
  ["a GitHub without issue dependencies (older GitHub Enterprise Server)", "absent", "HTTP 404"],
  ["a token that may not write them", "forbidden", "HTTP 403"],
] as const)("%s", (_name, dependencies, status) => {
  let github: GitHubStandIn;
  beforeAll(async () => {
    resetGraphqlFallbacks();
    for (const s of scenarioServices().services) emulator.setService(s);
    github = await startGitHubStandIn({ appId: 1 });
    github.addRepo(FULL, {
      files: { ".github/config-triage.yml": scenarioConfigYaml },
      collaborators: { [EXAMPLE_SENDER]: "triage" },
      dependencies,
    });
    github.addIssue(FULL, {
      number: scenarioIssue.number,
      title: scenarioIssue.title,
      body: scenarioIssue.body,
      user: { login: "sre-lead", type: "User" },
    });
    await label(probotFor(github, "rest"));
  });
  afterAll(() => github.close());

  it("opens the follow-ups anyway, and the comment says which link could not be made and what was not set", () => {
    const parent = github.issue(FULL, scenarioIssue.number)!;
    expect(parent.sub_issues).toHaveLength(4);
    const comment = parent.comments[0].body;
    expect(comment).toContain("#### Not set on the follow-ups");
    expect(comment).toContain(`- #933 is blocked by #932: not recorded (${status}`);
    // No milestones in this repository, and no issue types (a user's repository): said per follow-up, not guessed.
    expect(comment).toContain("- #932: no milestone: no open milestone is due after");
    expect(comment).toContain(
      "- #931: no type: this repository has no issue types (an organisation sets them up), so `Bug` cannot be set.",
    );
    expect(github.violations).toEqual([]);
    expect(github.responseViolations).toEqual([]);
  });
});
