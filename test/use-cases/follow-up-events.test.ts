/**
 * A person changes a follow-up (closes, reopens, approves by taking the review label off, rejects by closing as not
 * planned): the parent's diagnosis comment updates its follow-up list in place. Payloads start from GitHub's
 * `issues.reopened` / `issues.unlabeled` examples (the examples have no `closed`; it is the same shape with
 * `action: "closed"`).
 */
import nock from "nock";
import { examplePayload } from "../../dev/webhook-payloads.js";
import { issueEventMeaning } from "../../src/use-cases/follow-up-events.js";
import { createMemoryWatchScheduler } from "../../src/adapters/queue/memory-watch-scheduler.js";
import { watchKey } from "../../src/domain/follow-up-plan/decide-watch.js";
import { writeMarker } from "../../src/domain/issue-state/markers.js";
import { APP_ID } from "../support/probot.js";
import { API, REPO, app, mockConfig, owner, repo, useCommandTestEnvironment } from "./slash-commands/harness.js";

useCommandTestEnvironment();

const bot = { login: "config-triage[bot]", type: "Bot" };
const viaApp = { id: APP_ID, slug: "config-triage" };
const TEMPLATES = ["immediate-fix", "ssot-consolidation"];
/** The follow-ups as the last run recorded them in its state. */
const RECORDED_FOLLOW_UPS = TEMPLATES.map((template, i) => ({ template, number: 931 + i, id: 9931 + i }));

/** A follow-up issue the app opened (as the sub-issues listing returns it). */
function followUpIssue(template: string, extra: Record<string, unknown> = {}) {
  const i = TEMPLATES.indexOf(template);
  return {
    id: 9931 + i,
    number: 931 + i,
    title: template,
    state: "open",
    state_reason: null,
    body: `${writeMarker("follow-up", { parent: 930, template })}\nFollow-up of #930`,
    user: bot,
    performed_via_github_app: viaApp,
    ...extra,
  };
}

/** The app's diagnosis comment, with `state` in its marker. */
function diagnosisComment(state: object, text: string) {
  const marker = writeMarker("diagnosis", { v: 1, followUps: [], problems: [], ...state });
  return {
    id: 555,
    body: `${marker}\n${text}\n<!-- config-triage:end -->`,
    user: bot,
    performed_via_github_app: viaApp,
  };
}

const LIST =
  "old diagnosis\n\n#### Follow-up issues\n- [ ] #931 Fix — open\n- [ ] #932 SSOT — open\n\nThis issue stays open.";

/** An `issues.<action>` event on follow-up `template` (or on the parent), sent by `sender`. */
function issueEvent(
  action: "closed" | "reopened" | "unlabeled",
  o: { template?: string; issue?: object; label?: string; sender?: { login: string; type: string } } = {},
) {
  const payload = examplePayload("issues", action === "unlabeled" ? "unlabeled" : "reopened");
  payload.action = action;
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  Object.assign(payload.issue, o.template ? followUpIssue(o.template) : { number: 930, body: "the parent" }, o.issue);
  if (action === "unlabeled") payload.label = { ...payload.label, name: o.label ?? "needs-review" };
  payload.sender = { ...payload.sender, ...(o.sender ?? { login: "maintainer", type: "User" }) };
  return { id: `delivery-${Math.random()}`, name: "issues" as const, payload: payload as any };
}

/** The parent's reads and the rewrite of its comment; returns where the new body lands. */
function mockParentList(scope: nock.Scope, subIssues: object[], list = LIST) {
  const written: { body?: string } = {};
  scope
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [diagnosisComment({ followUps: RECORDED_FOLLOW_UPS.slice(0, 2) }, list)])
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, subIssues)
    .patch(`${REPO}/issues/comments/555`)
    .reply(200, (_u, b: any) => ((written.body = b.body), { id: 555 }));
  return written;
}

describe("the parent's list follows its follow-ups", () => {
  it("a person closes the fix follow-up: ticked and done", async () => {
    const scope = nock(API);
    mockConfig(scope);
    const closed = followUpIssue("immediate-fix", { state: "closed", state_reason: "completed" });
    const written = mockParentList(scope, [closed, followUpIssue("ssot-consolidation")]);
    await app().receive(issueEvent("closed", { template: "immediate-fix", issue: { state: "closed" } }));
    expect(written.body).toContain("- [x] #931 immediate-fix — done");
    expect(written.body).toContain("- [ ] #932 ssot-consolidation — open");
    expect(written.body).toContain("This issue stays open.");
  });

  it("a person closes one as not planned: rejected, and remembered in the state", async () => {
    const scope = nock(API);
    mockConfig(scope);
    const rejected = followUpIssue("ssot-consolidation", { state: "closed", state_reason: "not_planned" });
    const written = mockParentList(scope, [followUpIssue("immediate-fix"), rejected]);
    await app().receive(issueEvent("closed", { template: "ssot-consolidation", issue: { state: "closed" } }));
    expect(written.body).toContain("- [x] #932 ssot-consolidation — rejected");
  });

  it("a person reopens one: open again", async () => {
    const scope = nock(API);
    mockConfig(scope);
    const shownDone = LIST.replace("- [ ] #931 Fix — open", "- [x] #931 Fix — done");
    const subIssues = [followUpIssue("immediate-fix"), followUpIssue("ssot-consolidation")];
    const written = mockParentList(scope, subIssues, shownDone);
    await app().receive(issueEvent("reopened", { template: "immediate-fix" }));
    expect(written.body).toContain("- [ ] #931 immediate-fix — open");
  });

  it("a person takes the review label off: approved", async () => {
    const scope = nock(API);
    mockConfig(scope);
    const written = mockParentList(scope, [followUpIssue("immediate-fix"), followUpIssue("ssot-consolidation")]);
    await app().receive(issueEvent("unlabeled", { template: "ssot-consolidation", label: "needs-review" }));
    expect(written.body).toContain("- [ ] #932 ssot-consolidation — approved");
  });

  it("another label taken off a follow-up changes nothing (the config is read, nothing else)", async () => {
    const scope = nock(API);
    mockConfig(scope);
    await app().receive(issueEvent("unlabeled", { template: "ssot-consolidation", label: "documentation" }));
  });

  it("the app's own close (a fix follow-up whose checks pass) sends nothing: its triage lists it", async () => {
    await app().receive(issueEvent("closed", { template: "immediate-fix", sender: bot }));
  });

  it("a closed parent's watch stops, without a request to GitHub", async () => {
    const scheduler = createMemoryWatchScheduler({ onDue: () => undefined, max: 5 });
    const watch = { installation: 77, owner, repo, number: 930, everyMs: 86_400_000, untilMs: Date.now() + 1e9 };
    await scheduler.start(watch);
    await app({ watches: scheduler }).receive(issueEvent("closed", { issue: { state: "closed" } }));
    expect(await scheduler.get(watchKey(watch))).toBeUndefined();
    await scheduler.close();
  });

  it("a watched parent losing its trigger label stops its watch (one config read)", async () => {
    const scheduler = createMemoryWatchScheduler({ onDue: () => undefined, max: 5 });
    const watch = { installation: 77, owner, repo, number: 930, everyMs: 86_400_000, untilMs: Date.now() + 1e9 };
    await scheduler.start(watch);
    mockConfig(nock(API));
    await app({ watches: scheduler }).receive(
      issueEvent("unlabeled", { label: "triage:config", issue: { labels: [{ name: "bug" }] } }),
    );
    expect(await scheduler.get(watchKey(watch))).toBeUndefined();
    await scheduler.close();
  });
});

describe("issueEventMeaning (from the payload alone)", () => {
  const identity = { appId: viaApp.id };
  const follow = followUpIssue("immediate-fix");
  it.each([
    ["a person closes a follow-up", { action: "closed", issue: follow, sender: { type: "User" } }, "follow-up"],
    ["the app closes a follow-up", { action: "closed", issue: follow, sender: { type: "Bot" } }, "none"],
    [
      "a pasted marker in a person's issue is not a follow-up",
      {
        action: "closed",
        issue: { ...follow, user: { login: "mallory", type: "User" }, performed_via_github_app: null },
      },
      "watched",
    ],
    ["a parent closes", { action: "closed", issue: { body: "x" }, sender: { type: "User" } }, "watched"],
    ["a pull request", { action: "closed", issue: { body: "x", pull_request: {} } }, "none"],
    ["unlabeled without a label", { action: "unlabeled", issue: follow, sender: { type: "User" } }, "none"],
  ])("%s", (_name, payload, kind) => {
    expect(issueEventMeaning(payload as never, identity).kind).toBe(kind);
  });
});
