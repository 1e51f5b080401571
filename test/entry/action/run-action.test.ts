import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { markerSigner } from "../../../src/entry/action/sign-markers.js";
import { readMarker, writeMarker } from "../../../src/domain/issue-state/markers.js";
import { ProbotOctokit } from "probot";
import { pino } from "pino";
import { runAction } from "../../../src/entry/action/run-action.js";
import { writeResults } from "../../../src/entry/action/write-results.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { TRIAGE_PERMISSION } from "../../support/probot.js";
import { EXAMPLE_SENDER, examplePayload, labeledPayload } from "../../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const API = "https://api.github.com";
const REPO = `/repos/${owner}/${repo}`;
const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const log = pino({ level: "silent" });
const KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
let emulator: CloudRunEmulator;
let dir: string;

function event(name: string, payload: object): NodeJS.ProcessEnv {
  const path = join(dir, "event.json");
  const { installation: _, ...withoutInstallation } = payload as Record<string, unknown>;
  writeFileSync(path, JSON.stringify(withoutInstallation));
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: path,
    GITHUB_RUN_ID: "123",
    INPUT_GITHUB_TOKEN: "ghs_workflow",
    INPUT_MARKER_KEY: KEY,
    GITHUB_REPOSITORY: `${owner}/${repo}`,
    CLOUD_RUN_EMULATOR_HOST: emulator.address,
    CLOUD_RUN_TIMEOUT_MS: "5000",
  };
}

const labeled = () => labeledPayload({ owner, repo, ...scenarioIssue, label: "triage:config" });
const SHA = "0123456789abcdef0123456789abcdef01234567";

function pullRequest() {
  const payload = examplePayload("pull_request", "opened") as any;
  Object.assign(payload.repository, { name: repo, full_name: `${owner}/${repo}` });
  payload.pull_request.number = 42;
  payload.pull_request.head.sha = SHA;
  return payload;
}

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
  dir = mkdtempSync(join(tmpdir(), "config-triage-action-"));
  nock.disableNetConnect();
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
  nock.enableNetConnect();
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

test("issues.labeled with the workflow token: the scenario's triage runs with it and the step passes", async () => {
  const tokens = new Set<string>();
  const seen = function (this: { req: { headers: Record<string, string> } }) {
    tokens.add(this.req.headers.authorization);
    return true;
  };
  let comment = "";
  let created = 0;
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
    .reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
    .reply(200, scenarioConfigYaml)
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [])
    .get(`${REPO}/contents/.github%2Fconfig-triage`)
    .reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, [])
    .post(`${REPO}/issues`)
    .times(4)
    .reply(201, function () {
      seen.call(this as never);
      created++;
      return { id: 9930 + created, number: 930 + created, title: "t", state: "open" };
    })
    .post(`${REPO}/issues/930/sub_issues`)
    .times(4)
    .reply(201, {})
    // The templates' milestones and types, and the documentation's dependency on the consolidation.
    .get(`${REPO}/milestones`)
    .query(true)
    .reply(200, [])
    .get(`${REPO}/issue-types`)
    .reply(404, { message: "Not Found" })
    .post(`${REPO}/issues/933/dependencies/blocked_by`, { issue_id: 9932 })
    .reply(201, function () {
      seen.call(this as never);
      return { id: 9933, number: 933 };
    })
    .post(`${REPO}/issues/930/comments`)
    .reply(201, function (_uri, body: any) {
      seen.call(this as never);
      comment = body.body;
      return { id: 555, body: body.body };
    });
  // After the triage, what it left: its comment (for the URL and the job summary) and the follow-ups.
  const bot = { login: "github-actions[bot]", type: "Bot" };
  nock(API)
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, () => [{ id: 555, body: comment, user: bot }])
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, () =>
      [931, 932, 933, 934].map((n, i) => ({
        id: 9931 + i,
        number: n,
        title: "t",
        state: "open",
        user: bot,
        body: `<!-- config-triage:follow-up {"parent":930,"template":"t${i}"} -->`,
      })),
    );
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result).toMatchObject({
    exitCode: 0,
    summary: "triage finished: fail",
    outputs: {
      verdict: "fail",
      "comment-url": `https://github.com/${owner}/${repo}/issues/930#issuecomment-555`,
      "follow-ups": "[931,932,933,934]",
    },
    annotations: [],
  });
  expect(result.stepSummary).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  expect([...tokens]).toEqual(["token ghs_workflow"]);
  expect(comment).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  expect(created).toBe(4);
});

test("a configuration error fails the step, after the comment that names the fix", async () => {
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
    .reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
    .reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github/contents/.github%2Fconfig-triage.yml`)
    .reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [])
    .post(`${REPO}/issues/930/comments`, (body) => body.body.includes("the file does not exist"))
    .reply(201, { id: 1 });
  nock(API)
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [])
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, []);
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result.exitCode).toBe(1);
  expect(result.summary).toMatch(/configuration error/);
  expect(result.outputs.verdict).toBe("config-error");
});

test("config-path: the config is read from that file of the repository, and named in the problems", async () => {
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
    .reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/ops%2Ftriage.yml`)
    .times(2)
    .reply(200, "environments:\n  staging: { project: p, regoin: r, services: [a] }\n")
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [])
    .post(`${REPO}/issues/930/comments`, (body) => body.body.includes("`ops/triage.yml`, line 2"))
    .reply(201, { id: 1 });
  nock(API)
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [])
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, []);
  const result = await runAction(
    { ...event("issues", labeled()), "INPUT_CONFIG-PATH": "ops/triage.yml" },
    { log, Octokit },
  );
  expect(result.exitCode).toBe(1);
  expect(result.outputs.verdict).toBe("config-error");
});

test("a triage that throws (GitHub answers 500) fails the step with the reason", async () => {
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
    .reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
    .reply(200, scenarioConfigYaml)
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(500, { message: "Server Error" })
    .get(`${REPO}/contents/.github%2Fconfig-triage`)
    .optionally()
    .reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .optionally()
    .reply(200, []);
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result.exitCode).toBe(1);
  expect(result.summary).toMatch(/^the triage failed: .*Server Error/);
});

test.each([
  [
    "an event the app does not handle",
    () => ({ ...event("push", examplePayload("issues", "labeled")) }),
    0,
    /event `push` is not handled/,
  ],
  ["no token", () => ({ ...event("issues", labeled()), INPUT_GITHUB_TOKEN: "" }), 1, /no token/],
  ["no marker key", () => ({ ...event("issues", labeled()), INPUT_MARKER_KEY: "" }), 1, /^no `marker-key`: pass/],
  [
    "no event file",
    () => ({ ...event("issues", labeled()), GITHUB_EVENT_PATH: "" }),
    1,
    /GITHUB_EVENT_PATH is not set/,
  ],
  [
    "dry-run that is not a boolean",
    () => ({ ...event("issues", labeled()), "INPUT_DRY-RUN": "yes" }),
    1,
    /input `dry-run` is "yes": use true or false/,
  ],
  [
    "config-path outside the repository",
    () => ({ ...event("issues", labeled()), "INPUT_CONFIG-PATH": "../x.yml" }),
    1,
    /input `config-path` is "\.\.\/x\.yml"/,
  ],
  [
    "a closed pull request",
    () => event("pull_request", { ...pullRequest(), action: "closed" }),
    0,
    /pull_request\.closed: nothing to check/,
  ],
])("%s", async (_name, env, exitCode, summary) => {
  const result = await runAction(env(), { log, Octokit });
  expect(result.exitCode).toBe(exitCode);
  expect(result.summary).toMatch(summary);
});

describe("markers: only the ones this Action signed are trusted", () => {
  /** A diagnosis state saying the four follow-ups exist already (#931..#934): believed, it would open none. */
  const state = writeMarker("diagnosis", {
    v: 1,
    followUps: ["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"].map(
      (template, i) => ({ template, id: 9931 + i, number: 931 + i }),
    ),
    problems: [],
  });
  const bot = { login: "github-actions[bot]", type: "Bot" };
  const byActions = (body: string) => ({ id: 777, node_id: "IC_777", body, user: bot, performed_via_github_app: null });

  /**
   * The triage's reads, then what the step reads after it: the comments and sub-issues. Opening follow-ups also
   * reads the templates' milestones and issue types: the test that opens them mocks those.
   */
  function mockTriage(comments: object[], out: { posted?: string; patched?: string; created: number }) {
    nock(API)
      .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
      .reply(200, TRIAGE_PERMISSION)
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/issues/930/comments`)
      .query(true)
      .times(2)
      .reply(200, comments)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .reply(404, { message: "Not Found" })
      .get(`${REPO}/issues/930/sub_issues`)
      .query(true)
      .times(2)
      .reply(200, []);
    return out;
  }

  it("a forged marker in another workflow's github-actions[bot] comment is ignored: triage starts afresh", async () => {
    // What a workflow that echoes user text would post: the app's marker, unsigned.
    const out = mockTriage([byActions(`Echo of a user's text:\n${state}`)], { created: 0 });
    nock(API)
      .post(`${REPO}/issues`)
      .times(4)
      .reply(201, () => {
        out.created++;
        return { id: 9940 + out.created, number: 940 + out.created, title: "t", state: "open" };
      })
      .post(`${REPO}/issues/930/sub_issues`)
      .times(4)
      .reply(201, {})
      .get(`${REPO}/milestones`)
      .query(true)
      .reply(200, [])
      .get(`${REPO}/issue-types`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/issues/943/dependencies/blocked_by`, { issue_id: 9942 })
      .reply(201, { id: 9943, number: 943 })
      .post(`${REPO}/issues/930/comments`)
      .reply(201, (_uri, body: any) => ((out.posted = body.body), { id: 556, body: body.body }));
    expect((await runAction(event("issues", labeled()), { log, Octokit })).exitCode).toBe(0);
    expect(out.created).toBe(4); // the forged "already opened" was not believed
    // Its own marker is signed.
    expect(out.posted).toMatch(/<!-- config-triage:diagnosis \{[^\n]*\} sig=[0-9a-f]{64} -->/);
  });

  it("the marker this Action signed is trusted: the same comment is updated, nothing is opened twice", async () => {
    const own = `${state}\n\n### config-triage\n<!-- config-triage:end -->`;
    const signed = markerSigner(KEY, `${owner}/${repo}`).sign(own);
    const out = mockTriage([byActions(signed)], { created: 0 });
    nock(API)
      // Follow-ups recorded without their dependency: the documentation's is read, and the missing link made.
      .get(`${REPO}/issues/933/dependencies/blocked_by`)
      .query(true)
      .reply(200, [])
      .post(`${REPO}/issues/933/dependencies/blocked_by`, { issue_id: 9932 })
      .reply(201, { id: 9933, number: 933 })
      .post(`${REPO}/issues/930/sub_issues`)
      .times(4)
      .reply(201, {})
      .patch(`${REPO}/issues/comments/777`)
      .reply(200, (_uri, body: any) => ((out.patched = body.body), { id: 777, body: body.body }));
    expect((await runAction(event("issues", labeled()), { log, Octokit })).exitCode).toBe(0);
    expect(out.created).toBe(0);
    expect(out.patched).toMatch(/sig=[0-9a-f]{64} -->/);
  });

  it("a signature made with another key, or for another repository, is not trusted", () => {
    const forged = markerSigner("another-key", `${owner}/${repo}`).sign(state);
    const elsewhere = markerSigner(KEY, `${owner}/other-repo`).sign(state);
    const mine = markerSigner(KEY, `${owner}/${repo}`);
    expect(mine.verify(forged)).toMatch(/^<!-- config-triage-unverified:diagnosis /);
    expect(mine.verify(elsewhere)).toMatch(/^<!-- config-triage-unverified:diagnosis /);
    expect(mine.verify(mine.sign(state))).toBe(state);
  });

  it("a forged marker the signature pattern does not match (a line break before its end) is defused too", () => {
    const mine = markerSigner(KEY, `${owner}/${repo}`);
    const broken = state.replace(/ -->$/, "\n -->");
    expect(readMarker("diagnosis", broken)).toBeDefined(); // the app's reader would take it
    expect(readMarker("diagnosis", mine.verify(broken))).toBeUndefined();
    expect(readMarker("diagnosis", mine.verify(`${mine.sign(state)}\n${broken}`))).toBeDefined(); // its own stays
    // The notice's bare start carries no state and is kept as it is.
    expect(mine.verify("<!-- config-triage:notice -->")).toBe("<!-- config-triage:notice -->");
  });
});

test("another label: nothing to triage, the step passes", async () => {
  nock(API).get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, scenarioConfigYaml);
  const payload = labeledPayload({ owner, repo, ...scenarioIssue, label: "bug" });
  expect(await runAction(event("issues", payload), { log, Octokit })).toEqual({
    exitCode: 0,
    summary: "nothing to triage for this event",
    outputs: { verdict: "none", "comment-url": "", "follow-ups": "[]" },
    stepSummary: "",
    annotations: [],
  });
});

describe("pull_request", () => {
  const files = (names: string[]) =>
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(
        200,
        names.map((filename) => ({ filename })),
      );

  test("a broken config: the step fails, with an annotation at the line and the problems in the summary", async () => {
    files([".github/config-triage.yml", "src/app.ts"])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, "environments:\n  staging: { project: p, regoin: r, services: [a] }\n")
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" });
    const result = await runAction(event("pull_request", pullRequest()), { log, Octokit });
    expect(result).toMatchObject({ exitCode: 1, outputs: { verdict: "invalid" } });
    expect(result.summary).toBe(
      "pull request #42: 2 problems in the config-triage configuration; merging it would break triage",
    );
    expect(result.annotations).toEqual([
      expect.stringMatching(
        /^::error file=\.github\/config-triage\.yml,line=2,col=\d+::`environments\.staging\.region` is required/,
      ),
      expect.stringMatching(
        /^::error file=\.github\/config-triage\.yml,line=2,col=\d+::unknown key `regoin`.*did you mean `region`/,
      ),
    ]);
    expect(result.stepSummary).toContain("unknown key `regoin`");
  });

  test("a valid config: the step passes, verdict valid", async () => {
    files([".github/config-triage.yml"])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" });
    // Without marker-key too: a pull request's check reads no marker (and a fork's pull request gets no secrets).
    const env = { ...event("pull_request", pullRequest()), INPUT_MARKER_KEY: "" };
    const result = await runAction(env, { log, Octokit });
    expect(result).toMatchObject({ exitCode: 0, outputs: { verdict: "valid" }, annotations: [] });
    expect(result.stepSummary).toContain("the configuration is valid");
  });

  test("a pull request that touches neither the config nor a template: nothing to check", async () => {
    files(["src/app.ts"]);
    const result = await runAction(event("pull_request", pullRequest()), { log, Octokit });
    expect(result).toMatchObject({
      exitCode: 0,
      outputs: { verdict: "none" },
      summary: "pull request #42 changes neither .github/config-triage.yml nor a template: nothing to check",
    });
  });
});

test("writeResults: GITHUB_OUTPUT's multi-line form, the job summary appended, annotations then the line", () => {
  const output = join(dir, "out");
  const summary = join(dir, "summary.md");
  writeFileSync(output, "earlier=1\n");
  writeFileSync(summary, "");
  const printed: string[] = [];
  const outputs = { verdict: "fail", "comment-url": "https://x/1#issuecomment-2", "follow-ups": "[3]" };
  writeResults(
    {
      exitCode: 1,
      summary: "50% done\nsecond line",
      outputs,
      stepSummary: "### hi\n",
      annotations: ["::error file=a.yml::x"],
    },
    { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
    (l) => printed.push(l),
  );
  const written = readFileSync(output, "utf8");
  const delimiter = /^verdict<<(ghadelimiter_[0-9a-f-]{36})$/m.exec(written)![1];
  expect(written).toBe(
    `earlier=1\n${Object.entries(outputs)
      .map(([k, v]) => `${k}<<${delimiter}\n${v}\n${delimiter}\n`)
      .join("")}`,
  );
  expect(readFileSync(summary, "utf8")).toBe("### hi\n");
  expect(printed).toEqual(["::error file=a.yml::x", "::error title=config-triage::50%25 done%0Asecond line"]);
});
