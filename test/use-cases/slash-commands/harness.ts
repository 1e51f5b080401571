/**
 * Set-up of the webhook tests of the slash-commands (`receive-comments.test.ts`): `issue_comment` payloads through
 * `probot.receive`, the app, and the GitHub mocks of a comment's commands. What each command does is tested as a table
 * on the in-memory fake GitHub (`commands.test.ts`); these tests keep the path from the webhook to the runner.
 */
import nock from "nock";
import { examplePayload } from "../../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue } from "../../../dev/scenario.js";
import { API, mockInstallationToken } from "../../support/github-mocks.js";
import { testApp, useCloudRunEmulator, type EmulatorAndClients } from "../../support/test-app.js";

export { API };
export const { owner, repo } = SCENARIO_REPO;
export const REPO = `/repos/${owner}/${repo}`;
export const COMMENT_ID = 4401;

let cloudRun: EmulatorAndClients | undefined;

/** Starts the Cloud Run emulator and disables the network; call at the top of a test file. */
export function useCommandTestEnvironment() {
  cloudRun = useCloudRunEmulator({ blockNetwork: true });
  beforeEach(() => {
    nock.cleanAll();
    mockInstallationToken();
  });
  afterEach(() => {
    // The installation token is persisted, and a test that expects no request at all does not use it.
    expect(nock.pendingMocks().filter((m) => !m.includes("/access_tokens"))).toEqual([]);
  });
}

export function app(deps: Parameters<typeof testApp>[1] = {}) {
  return testApp(cloudRun!.clients, deps);
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
export function mockReactions(scope: nock.Scope, final: "rocket" | "confused") {
  return scope
    .post(`${REPO}/issues/comments/${COMMENT_ID}/reactions`, (b) => b.content === "eyes")
    .reply(201, { id: 1, content: "eyes" })
    .post(`${REPO}/issues/comments/${COMMENT_ID}/reactions`, (b) => b.content === final)
    .reply(201, { id: 2, content: final });
}

export const WRITE_ROLE = {
  permission: "write",
  role_name: "write",
  user: { permissions: { pull: true, triage: true, push: true, maintain: false, admin: false } },
};

/** Captures the body of the failure or reply comment on the issue. */
export function mockReply(scope: nock.Scope, into: { body?: string }, number = 930) {
  return scope.post(`${REPO}/issues/${number}/comments`).reply(201, (_uri, body: any) => {
    into.body = body.body;
    return { id: 777, body: body.body };
  });
}
