/**
 * End to end: GitHub faults on writes that already happened, and requests that hang. The stand-in performs the write
 * and only then answers 502 or drops the connection, the worst case for a client: a blind retry (Probot's retry plugin
 * resends a request on a 5xx or a dropped connection) posts twice. The app sends every content-creating write once,
 * lets the queue retry the whole run, and that run reads what is there first. Over GraphQL (the default) and over REST.
 * A hung GitHub request is abandoned after GITHUB_REQUEST_TIMEOUT_MS and retried, instead of stalling the issue's job.
 */
import { waitFor, waitForQuiet, type AppProcess } from "../../dev/app-server.js";
import { OWNER, useE2E } from "../support/e2e-harness.js";
import { labeledPayload, withStandInIds } from "../../dev/webhook-payloads.js";
import { scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";

/** One follow-up: a duplicate shows as two, and REST's paced writes (3 s apart) stay few. */
const oneFollowUp = scenarioConfigYaml.replace(/follow_ups:[\s\S]*$/, "follow_ups:\n  - immediate-fix\n");

const e2e = useE2E({ appId: 36, env: { QUEUE_BACKOFF_MS: "300" }, backdateIssues: true });
const { addRepo, labeled, appComments, expectFollowUpsOnce, followUps } = e2e;
let graphqlApp: AppProcess;
let restApp: AppProcess;

/** Waits for the comment and for the app to go quiet, then checks the issue holds each thing exactly once. */
async function expectExactlyOnce(app: AppProcess, repo: string, count: number) {
  await waitFor("the diagnosis comment", () => appComments(repo)[0], 60_000).catch((error) => {
    throw new Error(`${error}\n${app.logs.join("").slice(-3000)}`);
  });
  await waitForQuiet(() => e2e.github.requests.length);
  expect(appComments(repo)).toHaveLength(1);
  expect(appComments(repo)[0].body).not.toContain("could not finish");
  for (const f of expectFollowUpsOnce(repo, count)) expect(appComments(repo)[0].body).toContain(`#${f.number}`);
}

beforeAll(async () => {
  [graphqlApp, restApp] = await Promise.all([
    e2e.start({ GITHUB_REQUEST_TIMEOUT_MS: "3000" }),
    e2e.start({ CONFIG_TRIAGE_GITHUB_API: "rest" }),
  ]);
});

describe("a write that happened but was answered with a failure is not written again", () => {
  it("over GraphQL: the follow-ups mutation answered 502, the comment mutation's connection dropped", async () => {
    addRepo("gql-after-write");
    e2e.github.fault({ method: "POST", path: /graphql$/, bodyMatches: /mutation ConfigTriageFollowUps/, status: 502 });
    e2e.github.fault({ method: "POST", path: /graphql$/, bodyMatches: /mutation ConfigTriageFinish/, drop: true });
    expect(await graphqlApp.deliver("issues", labeled("gql-after-write"))).toBe(202);
    await expectExactlyOnce(graphqlApp, "gql-after-write", 4);
    const mutations = e2e.github.requests.filter(
      (r) => r.path.endsWith("graphql") && /mutation ConfigTriage(FollowUps|Finish)/.test(JSON.stringify(r.body)),
    );
    // Each mutation that failed went out once (no client retry); the run after it found what was written. The first
    // document held the follow-ups up to the consolidation (the documentation names it by number, so it comes in a
    // second document): the run after the 502 created only the two the first run never sent.
    expect(mutations.map((r) => r.status)).toEqual([502, 200, -1]);
  }, 90_000);

  it("over REST: a follow-up's creation dropped after it happened, a comment answered 502 once posted", async () => {
    addRepo("rest-after-write", oneFollowUp);
    e2e.github.fault({ method: "POST", path: /\/repos\/netra-systems\/rest-after-write\/issues$/, drop: true });
    e2e.github.fault({
      method: "POST",
      path: /\/repos\/netra-systems\/rest-after-write\/issues\/930\/comments$/,
      status: 502,
    });
    expect(await restApp.deliver("issues", labeled("rest-after-write"))).toBe(202);
    await expectExactlyOnce(restApp, "rest-after-write", 1);
    const posts = e2e.github.requests.filter(
      (r) => r.method === "POST" && /rest-after-write\/issues(\/930\/comments)?$/.test(r.path),
    );
    expect(posts.map((r) => r.status)).toEqual([-1, 502]);
  }, 90_000);
});

describe("a GitHub request that hangs", () => {
  it("is abandoned after GITHUB_REQUEST_TIMEOUT_MS and retried: the triage finishes instead of stalling", async () => {
    addRepo("hung-read");
    // The first read of the issue never answers (within this test's time).
    e2e.github.fault({
      method: "POST",
      path: /graphql$/,
      bodyMatches: /query ConfigTriageRead[\s\S]*hung-read/,
      delayMs: 600_000,
    });
    expect(await graphqlApp.deliver("issues", labeled("hung-read"))).toBe(202);
    await expectExactlyOnce(graphqlApp, "hung-read", 4);
    const reads = e2e.github.requests.filter(
      (r) => r.path.endsWith("graphql") && /ConfigTriageRead[\s\S]*hung-read/.test(JSON.stringify(r.body)),
    );
    expect(reads.length).toBeGreaterThanOrEqual(2);
    // Still "being answered" by the stand-in (for ten minutes, far past this test's timeout): the app gave up on it.
    expect(reads[0].status).toBe(0);
  }, 90_000);
});

describe("a retry finishes what a run left half done", () => {
  it("over GraphQL: a follow-up has every label, new ones too, though the last document failed unrun", async () => {
    addRepo("gql-labels-retry");
    const before = e2e.github.requests.length;
    // GitHub fails the comment document before running it; the follow-ups exist, the retry finds them.
    const finish = /mutation ConfigTriageFinish/;
    e2e.github.fault({ method: "POST", path: /graphql$/, bodyMatches: finish, before: true, status: 502 });
    expect(await graphqlApp.deliver("issues", labeled("gql-labels-retry"))).toBe(202);
    await expectExactlyOnce(graphqlApp, "gql-labels-retry", 4);
    const finishes = e2e.github.requests.slice(before).filter((r) => finish.test(JSON.stringify(r.body)));
    expect(finishes.map((r) => r.status)).toEqual([502, 200]);
    for (const f of followUps("gql-labels-retry")) {
      expect(f.labels).toEqual(expect.arrayContaining(["config-triage", "needs-review"]));
    }
  }, 90_000);

  it("over GraphQL: a lost link is restored by node id after the parent moved, not by its old number", async () => {
    const twoFollowUps = `${oneFollowUp}  - flow-documentation\n`;
    addRepo("gql-moved-from", twoFollowUps);
    expect(await graphqlApp.deliver("issues", labeled("gql-moved-from"))).toBe(202);
    await expectExactlyOnce(graphqlApp, "gql-moved-from", 2);
    // The parent moves to a repository whose issues #1.. include the numbers the follow-ups have where they are.
    const target = `${OWNER}/gql-moved-to`;
    const files = { ".github/config-triage.yml": twoFollowUps };
    e2e.github.addRepo(target, { files, collaborators: { "sre-lead": "maintain" } });
    const [kept, lost] = followUps("gql-moved-from");
    const user = { login: "sre-lead", type: "User" as const };
    for (let n = 1; n <= lost.number; n++) e2e.github.addIssue(target, { number: n, title: `unrelated #${n}`, user });
    const parent = e2e.github.transferIssue(`${OWNER}/gql-moved-from`, scenarioIssue.number, target);
    // Someone removes one link.
    parent.sub_issues = parent.sub_issues.filter((id) => id !== lost.id);
    lost.parent = null;

    const event = { ...scenarioIssue, number: parent.number, label: "triage:config", sender: "sre-lead" };
    const payload = labeledPayload({ owner: OWNER, repo: "gql-moved-to", ...event });
    withStandInIds(payload, e2e.github.repo(target)!, parent).installation.id = 1;
    const sent = e2e.github.requests.length;
    expect(await graphqlApp.deliver("issues", payload)).toBe(202);
    await waitFor("the re-link", () => (lost.parent === parent.id ? true : undefined), 60_000);
    await waitForQuiet(() => e2e.github.requests.length);
    expect(kept.parent).toBe(parent.id);
    expect(e2e.github.issues(target).filter((i) => i.parent !== null)).toEqual([]);
    expect(e2e.github.requests.slice(sent).filter((r) => r.status >= 400)).toEqual([]);
  }, 90_000);
});
