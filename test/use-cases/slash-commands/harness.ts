/** Shared set-up of the `/triage` command integration tests: payloads, the app, and the usual GitHub mocks. */
import nock from "nock";
import { APP_ID } from "../../support/probot.js";
import { examplePayload } from "../../../dev/webhook-payloads.js";
import { testApp, useCloudRunEmulator, type EmulatorAndClients } from "../../support/test-app.js";
import {
  API,
  mockInstallationToken,
  mockStructureReads,
  mockTriageReads as mockTriageReadsOf,
} from "../../support/github-mocks.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

export { API };
export const { owner, repo } = SCENARIO_REPO;
export const REPO = `/repos/${owner}/${repo}`;
export const bot = { login: "config-triage[bot]", type: "Bot" };
export const viaApp = { id: APP_ID, slug: "config-triage" };
export const COMMENT_ID = 4401;

export const TEMPLATES = ["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"];

/** A follow-up issue the app opened (as the sub-issues listing returns it). */
export function followUpIssue(template: string, extra: Record<string, unknown> = {}) {
  const i = TEMPLATES.indexOf(template);
  return {
    id: 9931 + i,
    number: 931 + i,
    title: template,
    state: "open",
    state_reason: null,
    body: `<!-- config-triage:follow-up {"parent":930,"template":"${template}"} -->\nFollow-up of #930`,
    user: bot,
    performed_via_github_app: viaApp,
    ...extra,
  };
}

/** The app's diagnosis comment, with `state` in its marker. */
/** The follow-ups as the last run recorded them in its state, with the dependency it recorded (#933 waits for #932). */
export const RECORDED_FOLLOW_UPS = TEMPLATES.map((template, i) => ({
  template,
  number: 931 + i,
  id: 9931 + i,
  ...(template === "flow-documentation" ? { blockedBy: [932] } : {}),
}));

/** GitHub's answer to reading the dependencies of follow-up `number`: the follow-ups (by number) that block it. */
export function mockBlockedBy(scope: nock.Scope, number: number, blockers: number[]) {
  return scope
    .get(`${REPO}/issues/${number}/dependencies/blocked_by`)
    .query(true)
    .reply(
      200,
      blockers.map((n) => ({ id: 9000 + n, number: n, title: `#${n}`, state: "open" })),
    );
}

export function diagnosisComment(
  state: object,
  text = "old diagnosis\n\n#### Follow-up issues\n- [ ] #931 — open\n\nThis issue stays open.",
) {
  return {
    id: 555,
    body:
      `<!-- config-triage:diagnosis ${JSON.stringify({ v: 1, followUps: [], problems: [], ...state })} ` +
      `-->\n${text}\n<!-- config-triage:end -->`,
    user: bot,
    performed_via_github_app: viaApp,
  };
}

let cloudRun: EmulatorAndClients | undefined;

/** Starts the Cloud Run emulator and disables the network; call at the top of a test file. */
export function useCommandTestEnvironment() {
  cloudRun = useCloudRunEmulator({ blockNetwork: true });
  beforeEach(() => {
    nock.cleanAll();
    for (const s of scenarioServices().services) cloudRun!.emulator.setService(s);
    mockInstallationToken();
    // Before a plan creates anything the app looks for its own follow-ups on the repository (a run that died half-way):
    // who it is (GET /app, once per process) and the issues it opened. None here.
    nock(API).get("/app").optionally().reply(200, { id: APP_ID, slug: "config-triage" }).persist();
    nock(API)
      .get(`${REPO}/issues`)
      .query((q) => q.creator === "config-triage[bot]")
      .optionally()
      .reply(200, [])
      .persist();
  });
  afterEach(() => {
    // The installation token is persisted, and a test that expects no request at all does not use it.
    expect(nock.pendingMocks().filter((m) => !m.includes("/access_tokens"))).toEqual([]);
  });
}

/** Sets the scenario's services, fixed (the secret set on staging) or not. */
export function setServices(opts: { fixed?: boolean }) {
  for (const s of scenarioServices(opts).services) cloudRun!.emulator.setService(s);
}

export function app() {
  return testApp(cloudRun!.clients);
}

/** An `issue_comment` event built on GitHub's real `issue_comment.created` example. */
export function commentEvent(o: {
  body: string;
  login?: string;
  userType?: string;
  action?: "created" | "edited";
  from?: string;
  issue?: Record<string, unknown>;
  comment?: Record<string, unknown>;
}) {
  const payload = examplePayload("issue_comment", "created");
  payload.action = o.action ?? "created";
  if (o.action === "edited") payload.changes = { body: { from: o.from ?? "" } };
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  delete payload.issue.pull_request;
  Object.assign(payload.issue, {
    number: scenarioIssue.number,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    html_url: `https://github.com/${owner}/${repo}/issues/${scenarioIssue.number}`,
    state: "open",
    performed_via_github_app: null,
    ...o.issue,
  });
  Object.assign(payload.comment, { id: COMMENT_ID, body: o.body, performed_via_github_app: null, ...o.comment });
  payload.comment.user = { ...payload.comment.user, login: o.login ?? "maintainer", type: o.userType ?? "User" };
  payload.sender.login = o.login ?? "maintainer";
  return { id: `delivery-${Math.random()}`, name: "issue_comment" as const, payload: payload as any };
}

/** The config file, read once per comment. */
export function mockConfig(scope: nock.Scope, yaml = scenarioConfigYaml) {
  return scope.get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, yaml);
}

/** 👀 on receipt, then `final`. */
export function mockReactions(scope: nock.Scope, final: "rocket" | "confused", seen: string[] = []) {
  return scope
    .post(`${REPO}/issues/comments/${COMMENT_ID}/reactions`, (b) => b.content === "eyes" && seen.push("eyes") > 0)
    .reply(201, { id: 1, content: "eyes" })
    .post(`${REPO}/issues/comments/${COMMENT_ID}/reactions`, (b) => b.content === final && seen.push(final) > 0)
    .reply(201, { id: 2, content: final });
}

export function mockRole(scope: nock.Scope, login: string, answer: Record<string, unknown> | number) {
  const path = `${REPO}/collaborators/${login}/permission`;
  return typeof answer === "number"
    ? scope.get(path).reply(answer, { message: "error" })
    : scope.get(path).reply(200, answer);
}

export const ROLE = {
  read: {
    permission: "read",
    role_name: "read",
    user: { permissions: { pull: true, triage: false, push: false, maintain: false, admin: false } },
  },
  triage: {
    permission: "read",
    role_name: "triage",
    user: { permissions: { pull: true, triage: true, push: false, maintain: false, admin: false } },
  },
  write: {
    permission: "write",
    role_name: "write",
    user: { permissions: { pull: true, triage: true, push: true, maintain: false, admin: false } },
  },
  maintain: {
    permission: "write",
    role_name: "maintain",
    user: { permissions: { pull: true, triage: true, push: true, maintain: true, admin: false } },
  },
};

/** The app looks whether it already told someone without a role why a command was refused (it answers once): no. */
export function mockNoEarlierNotice(scope: nock.Scope, number = 930) {
  return scope.get(`${REPO}/issues/${number}/comments`).query(true).reply(200, []);
}

/** Captures the body of the failure or reply comment on the issue. */
export function mockReply(scope: nock.Scope, into: { body?: string }, number = 930) {
  return scope.post(`${REPO}/issues/${number}/comments`).reply(201, (_uri, body: any) => {
    into.body = body.body;
    return { id: 777, body: body.body };
  });
}

/** The reads of a triage run (the config itself comes from the command layer). */
export function mockTriageReads(scope: nock.Scope, comments: object[], subIssues: object[]) {
  return mockTriageReadsOf(scope, { config: null, comments, subIssues });
}

/** Runs `/triage plan` on #930 and returns the diagnosis comment the app wrote, as the app's own comment. */
export async function showPlan(o: { subIssues?: object[]; yaml?: string } = {}) {
  let body = "";
  const scope = nock(API);
  mockConfig(scope, o.yaml);
  mockReactions(scope, "rocket");
  mockRole(scope, "maintainer", ROLE.triage);
  mockTriageReads(scope, [], o.subIssues ?? []);
  // Follow-ups to open whose templates ask for a milestone and a type: the repository's are read for the plan.
  if ((o.subIssues ?? []).length < TEMPLATES.length) mockStructureReads(scope);
  scope.post(`${REPO}/issues/930/comments`).reply(201, (_u, b: any) => ((body = b.body), { id: 555 }));
  await app().receive(commentEvent({ body: "/triage plan" }));
  return { id: 555, body, user: bot, performed_via_github_app: viaApp };
}
