import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { pino } from "pino";
import { runAction } from "../../src/action/run-action.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { EXAMPLE_SENDER, examplePayload, labeledPayload, TRIAGE_PERMISSION } from "../support/probot.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const API = "https://api.github.com";
const REPO = `/repos/${owner}/${repo}`;
const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const log = pino({ level: "silent" });
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
    CLOUD_RUN_EMULATOR_HOST: emulator.address,
    CLOUD_RUN_TIMEOUT_MS: "5000",
  };
}

const labeled = () => labeledPayload({ owner, repo, ...scenarioIssue, label: "triage:config" });

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

test("issues.labeled with the workflow token: the scenario's triage runs with that token and the step passes", async () => {
  const tokens = new Set<string>();
  const seen = function (this: { req: { headers: Record<string, string> } }) {
    tokens.add(this.req.headers.authorization);
    return true;
  };
  let comment = "";
  let created = 0;
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, scenarioConfigYaml)
    .get(`${REPO}/issues/930/comments`).query(true).reply(200, [])
    .get(`${REPO}/contents/.github%2Fconfig-triage`).reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/sub_issues`).query(true).reply(200, [])
    .post(`${REPO}/issues`).times(4).reply(201, function () {
      seen.call(this as never);
      created++;
      return { id: 9930 + created, number: 930 + created, title: "t", state: "open" };
    })
    .post(`${REPO}/issues/930/sub_issues`).times(4).reply(201, {})
    .post(`${REPO}/issues/930/comments`).reply(201, function (_uri, body: any) {
      seen.call(this as never);
      comment = body.body;
      return { id: 555, body: body.body };
    });
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result).toEqual({ exitCode: 0, summary: "triage finished: fail" });
  expect([...tokens]).toEqual(["token ghs_workflow"]);
  expect(comment).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  expect(created).toBe(4);
});

test("a configuration error fails the step, after the comment that names the fix", async () => {
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github/contents/.github%2Fconfig-triage.yml`).reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/comments`).query(true).reply(200, [])
    .post(`${REPO}/issues/930/comments`, (body) => body.body.includes("the file does not exist")).reply(201, { id: 1 });
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result.exitCode).toBe(1);
  expect(result.summary).toMatch(/configuration error/);
});

test("a triage that throws (GitHub answers 500) fails the step with the reason", async () => {
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION)
    .get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, scenarioConfigYaml)
    .get(`${REPO}/issues/930/comments`).query(true).reply(500, { message: "Server Error" })
    .get(`${REPO}/contents/.github%2Fconfig-triage`).optionally().reply(404, { message: "Not Found" })
    .get(`${REPO}/issues/930/sub_issues`).query(true).optionally().reply(200, []);
  const result = await runAction(event("issues", labeled()), { log, Octokit });
  expect(result.exitCode).toBe(1);
  expect(result.summary).toMatch(/^the triage failed: .*Server Error/);
});

test.each([
  ["an event the app does not handle", () => ({ ...event("push", examplePayload("issues", "labeled")) }), 0, /event `push` is not handled/],
  ["no token", () => ({ ...event("issues", labeled()), INPUT_GITHUB_TOKEN: "" }), 1, /no token/],
  ["no event file", () => ({ ...event("issues", labeled()), GITHUB_EVENT_PATH: "" }), 1, /GITHUB_EVENT_PATH is not set/],
])("%s", async (_name, env, exitCode, summary) => {
  const result = await runAction(env(), { log, Octokit });
  expect(result.exitCode).toBe(exitCode);
  expect(result.summary).toMatch(summary);
});

test("another label: nothing to triage, the step passes", async () => {
  nock(API).get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, scenarioConfigYaml);
  const payload = labeledPayload({ owner, repo, ...scenarioIssue, label: "bug" });
  expect(await runAction(event("issues", payload), { log, Octokit })).toEqual({ exitCode: 0, summary: "nothing to triage for this event" });
});

test("action.yml runs the compiled form of src/action/main.ts with the token input", async () => {
  const { readFileSync, existsSync } = await import("node:fs");
  const { parse } = await import("yaml");
  const action = parse(readFileSync(new URL("../../action.yml", import.meta.url), "utf8"));
  expect(action.runs.using).toBe("composite");
  const step = action.runs.steps.find((s: { name?: string }) => s.name === "Triage");
  expect(step.run).toBe('node "$GITHUB_ACTION_PATH/dist/action/main.js"');
  expect(step.env.INPUT_GITHUB_TOKEN).toBe("${{ inputs.github-token }}");
  expect(existsSync(new URL("../../src/action/main.ts", import.meta.url))).toBe(true);
  expect(action.inputs["github-token"].default).toBe("${{ github.token }}");
});
