import nock from "nock";
import { createApp } from "../../src/entry/create-app.js";
import { loadBuiltInTemplates } from "../../src/rendering/templates.js";
import { checkRunOutput, isTriageFile } from "../../src/use-cases/check-pull-request.js";
import { API, mockInstallationToken } from "../support/github-mocks.js";
import { APP_ID, testProbot } from "../support/probot.js";
import { examplePayload } from "../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml } from "../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const REPO = `/repos/${owner}/${repo}`;
const SHA = "0123456789abcdef0123456789abcdef01234567";

function app() {
  return testProbot(
    createApp({
      builtInTemplates: loadBuiltInTemplates(),
      fetchLive: () => Promise.reject(new Error("a pull-request check never reads Cloud Run")),
      identity: { appId: APP_ID },
    }),
  );
}

function pullRequest(action = "opened") {
  const payload = examplePayload("pull_request", action === "synchronize" ? "synchronize" : "opened");
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.pull_request.number = 42;
  payload.pull_request.head.sha = SHA;
  return { id: "d-pr", name: "pull_request" as const, payload: payload as any };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
describe("pull_request", () => {
  beforeEach(() => {
    nock.cleanAll();
    mockInstallationToken();
  });
  afterEach(() => expect(nock.pendingMocks()).toEqual([]));

  test("a broken config and template in a pull request: a failing check run, annotations at the lines", async () => {
    let check: any;
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [
        { filename: ".github/config-triage.yml" },
        { filename: ".github/config-triage/runbook.md" },
        { filename: "src/app.ts" },
      ])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(
        200,
        scenarioConfigYaml.replace(
          "    region: us-central1\n    services: [netra-backend, auth-service]\n  production",
          "    regoin: us-central1\n    services: [netra-backend, auth-service]\n  production",
        ),
      )
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(200, [
        { type: "file", name: "runbook.md", path: ".github/config-triage/runbook.md" },
        { type: "dir", name: "x", path: ".github/config-triage/x" },
      ])
      .get(`${REPO}/contents/.github%2Fconfig-triage%2Frunbook.md`)
      .query({ ref: SHA })
      .reply(200, "---\ntitle: Runbook\n---\nSee {{parent.titel}}.\n")
      .post(`${REPO}/check-runs`, (body) => (check = body))
      .reply(201, { id: 1 });
    await app().receive(pullRequest());
    expect(check).toMatchObject({ name: "config-triage", head_sha: SHA, status: "completed", conclusion: "failure" });
    expect(check.output.title).toBe("3 problems in the config-triage configuration");
    expect(check.output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/config-triage.yml",
        start_line: 5,
        end_line: 5,
        annotation_level: "failure",
        message: expect.stringMatching(/`environments\.staging\.region` is required/),
      }),
      expect.objectContaining({
        path: ".github/config-triage.yml",
        start_line: 6,
        start_column: 5,
        message: expect.stringMatching(/unknown key `regoin`.*did you mean `region`/),
      }),
      expect.objectContaining({
        path: ".github/config-triage/runbook.md",
        start_line: 4,
        message: "the body: unknown placeholder `parent.titel`: did you mean `parent.title`?",
      }),
    ]);
  });

  test("a valid config: a successful check run", async () => {
    let check: any;
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: ".github/config-triage.yml" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/check-runs`, (body) => (check = body))
      .reply(201, { id: 2 });
    await app().receive(pullRequest("synchronize"));
    expect(check).toMatchObject({ conclusion: "success", output: { title: "Configuration and templates are valid" } });
    expect(check.output.annotations).toBeUndefined();
  });

  test("a config that `_extends` another repository's: validated merged, as the app will read it", async () => {
    let check: any;
    // Both answered as application/vnd.github.raw, which Octokit gives as an ArrayBuffer.
    const raw = { "content-type": "application/vnd.github.raw" };
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: ".github/config-triage.yml" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, '_extends: org-config\nlabels: ["triage:config", "needs-triage"]\n', raw)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" })
      // The base from its default branch (no ref), in the same owner.
      .get(`/repos/${owner}/org-config/contents/.github%2Fconfig-triage.yml`)
      .reply(200, scenarioConfigYaml, raw)
      .post(`${REPO}/check-runs`, (body) => (check = body))
      .reply(201, { id: 4 });
    await app().receive(pullRequest());
    expect(check).toMatchObject({ conclusion: "success", output: { title: "Configuration and templates are valid" } });
  });

  test("an `_extends` that names no repository: a failing check run that says what to write", async () => {
    let check: any;
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: ".github/config-triage.yml" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, `_extends: "a/b/c"\n${scenarioConfigYaml}`)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/check-runs`, (body) => (check = body))
      .reply(201, { id: 5 });
    await app().receive(pullRequest());
    expect(check.conclusion).toBe("failure");
    expect(check.output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/config-triage.yml",
        message: "`_extends` must be `repo`, `owner/repo` or `owner/repo:path.yml`, the config it extends",
      }),
    ]);
  });

  test("a pull request that touches neither: no check run", async () => {
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: "README.md" }, { filename: ".github/workflows/ci.yml" }]);
    await app().receive(pullRequest());
  });

  test("a template answered as application/vnd.github.raw (an ArrayBuffer in Octokit) is read as text", async () => {
    let check: any;
    const template = "---\ntitle: Runbook for {{parent.title}}\n---\nSee #{{parent.number}}.\n";
    nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: ".github/config-triage/runbook.md" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(200, [
        { type: "file", name: "runbook.md", path: ".github/config-triage/runbook.md", size: template.length },
      ])
      .get(`${REPO}/contents/.github%2Fconfig-triage%2Frunbook.md`)
      .query({ ref: SHA })
      .reply(200, template, { "content-type": "application/vnd.github.raw" })
      .post(`${REPO}/check-runs`, (body) => (check = body))
      .reply(201, { id: 3 });
    await app().receive(pullRequest());
    expect(check).toMatchObject({
      conclusion: "success",
      output: { summary: expect.stringContaining("`.github/config-triage/runbook.md`") },
    });
  });

  test("a fork's head with too many and too large templates: bounded reads; the check names each bound", async () => {
    let check: any;
    const names = Array.from({ length: 45 }, (_, i) => `t${String(i).padStart(2, "0")}.md`);
    const listing = names.map((name, i) => ({
      type: "file",
      name,
      path: `.github/config-triage/${name}`,
      size: i === 3 ? 5_000_000 : 60,
    }));
    const scope = nock(API)
      .get(`${REPO}/pulls/42/files`)
      .query(true)
      .reply(200, [{ filename: ".github/config-triage/t00.md" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .query({ ref: SHA })
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .query({ ref: SHA })
      .reply(200, listing);
    // Only the first 30 by name are read, and not the 5 MB one: any other read finds no mock and fails the test.
    for (const name of names.slice(0, 30)) {
      if (name === "t03.md") continue;
      scope
        .get(`${REPO}/contents/${encodeURIComponent(`.github/config-triage/${name}`)}`)
        .query({ ref: SHA })
        .reply(200, "---\ntitle: T\n---\nBody.\n");
    }
    scope.post(`${REPO}/check-runs`, (body) => (check = body)).reply(201, { id: 4 });
    await app().receive(pullRequest());
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(
      "`.github/config-triage/t03.md`: the file is 5000000 bytes; a template may be at most 65536 bytes",
    );
    expect(check.output.summary).toContain(
      "`.github/config-triage`: 45 templates; the app reads at most 30: remove 15 (not read: `t30.md`, `t31.md`",
    );
  });
});

test.each([
  [".github/config-triage.yml", true],
  [".github/config-triage/immediate-fix.md", true],
  [".github/config-triage/nested/x.md", false],
  [".github/config-triage/notes.txt", false],
  ["config-triage.yml", false],
])("isTriageFile(%s) = %s", (path, expected) => {
  expect(isTriageFile(path)).toBe(expected);
});

describe("checkRunOutput within GitHub's limits", () => {
  test("thousands of long problems: summary within 65,535 bytes, 50 annotations, each within 64 KB", () => {
    const problems = Array.from({ length: 3_000 }, (_, i) => ({
      file: ".github/config-triage.yml",
      line: i + 1,
      path: "",
      message: `problème ${i} `.padEnd(120, "é"),
    }));
    problems[0].message = "x".repeat(100_000);
    const { output } = checkRunOutput(problems, [".github/config-triage.yml"]);
    expect(Buffer.byteLength(output.summary, "utf8")).toBeLessThanOrEqual(65_535);
    expect(output.summary).toMatch(
      /✂️ \d+ more problems not listed \(GitHub's size limit\); the annotations show the first 50\.$/,
    );
    expect(output.annotations).toHaveLength(50);
    for (const a of output.annotations!) expect(Buffer.byteLength(a.message, "utf8")).toBeLessThanOrEqual(64 * 1024);
  });
});
