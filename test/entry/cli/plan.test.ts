import nock from "nock";
import { runCli } from "../../../src/entry/cli/run-cli.js";
import type { CliIO } from "../../../src/entry/cli/cli-io.js";
import { readOnlyIssueGitHub, ReadOnlyError } from "../../../src/adapters/github/readonly-issue-github.js";
import { Octokit } from "@octokit/rest";
import { writeMarker } from "../../../src/domain/issue-state/markers.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { API, mockStructureReads, mockTriageReads } from "../../support/github-mocks.js";
import { PLANTED_VALUES, SCENARIO_REPO, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const REPO = `/repos/${owner}/${repo}`;

let emulator: CloudRunEmulator;

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: "", stderr: "" };
  const io: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    stderrIsTTY: false,
    env: {
      GITHUB_TOKEN: "ghp_test",
      CLOUD_RUN_EMULATOR_HOST: emulator.address,
      CLOUD_RUN_TIMEOUT_MS: "5000",
      APP_ID: "4242",
      ...env,
    },
    cwd: process.cwd(),
  };
  const code = await runCli(args, io);
  for (const planted of PLANTED_VALUES) expect(out.stdout + out.stderr).not.toContain(planted);
  return { code, ...out };
}

function githubIssue() {
  return {
    id: 9300,
    number: 930,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    state: "open",
    html_url: `https://github.com/${owner}/${repo}/issues/930`,
  };
}

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
  nock.disableNetConnect();
});

afterAll(async () => {
  await emulator.close();
  nock.enableNetConnect();
});

beforeEach(() => nock.cleanAll());

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

describe("config-triage plan", () => {
  test("the scenario: prints the diagnosis and the four follow-ups it would open, and writes nothing", async () => {
    const auth: string[] = [];
    const scope = nock(API)
      .get(`${REPO}/issues/930`)
      .reply(function () {
        auth.push(String(this.req.headers.authorization));
        return [200, githubIssue()];
      });
    mockStructureReads(mockTriageReads(scope));
    // Any write would hit nock with no interceptor and fail the test; the client refuses before that anyway.
    const { code, stdout } = await run(["plan", "--issue", `${owner}/${repo}#930`]);
    // 1: the triage would write something (like terraform plan -detailed-exitcode's 2; ours keeps 2 for errors).
    expect(code).toBe(1);
    expect(auth).toEqual(["token ghp_test"]);
    expect(stdout).toContain(
      `Dry run of the triage of ${owner}/${repo}#930 ("JWT Configuration Failures in GCP Staging"). Nothing was ` +
        `written.`,
    );
    // The checks as `check` prints them, not the comment's Markdown (that is --format markdown).
    expect(stdout).toMatch(/staging\s+netra-backend\s+JWT_SECRET_STAGING\s+MISSING/);
    expect(stdout).not.toContain("| `netra-backend` |");
    expect(stdout).toContain("Would comment the diagnosis.");
    expect(stdout).toContain("Would open 4 follow-up issues, each linked as a sub-issue:");
    expect(stdout).toMatch(
      new RegExp(
        String.raw`- \[immediate-fix\] Fix configuration: JWT_SECRET_STAGING missing on staging {2}` +
          String.raw`\(labels: priority:critical.*; type: Bug\)`,
      ),
    );
    expect(stdout).toMatch(
      /- \[flow-documentation\] .*; blocked by: ssot-consolidation; milestone: Sprint 48; type: Task\)/,
    );
    for (const t of ["ssot-consolidation", "flow-documentation", "health-monitoring"])
      expect(stdout).toContain(`- [${t}] `);
    expect(stdout).toContain("Would leave the issue open.");
  });

  test("the fixed scenario with its comment and follow-ups: would update the comment, close; JSON format", async () => {
    emulator.setService(scenarioServices({ fixed: true }).services[0]);
    try {
      const comment = {
        id: 555,
        body: `${writeMarker("diagnosis", { v: 1, followUps: [], problems: [] })}\nold`,
        user: { login: "config-triage[bot]", type: "Bot" },
        performed_via_github_app: { id: 4242 },
      };
      const followUp = (n: number, template: string) => ({
        id: n * 10,
        number: n,
        title: template,
        state: "open",
        user: comment.user,
        performed_via_github_app: comment.performed_via_github_app,
        body: `${writeMarker("follow-up", { parent: 930, template })}\nbody`,
      });
      mockTriageReads(nock(API).get(`${REPO}/issues/930`).reply(200, githubIssue()), {
        comments: [comment],
        subIssues: [
          followUp(931, "immediate-fix"),
          followUp(932, "ssot-consolidation"),
          followUp(933, "flow-documentation"),
          followUp(934, "health-monitoring"),
        ],
      });
      const { code, stdout } = await run(["plan", "--issue", `${owner}/${repo}#930`, "--format", "json"]);
      expect(code).toBe(1);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({
        issue: `${owner}/${repo}#930`,
        verdict: "pass",
        exitCode: 1,
        wouldChange: true,
        comment: { action: "update", id: 555 },
        createFollowUps: [],
        close: true,
      });
      expect(report.problems.map((p: { key: string; severity: string }) => `${p.severity} ${p.key}`)).toEqual([
        "warn drift:staging>production:netra-backend",
        "warn drift:staging>production:auth-service",
      ]);
      expect(report.existingFollowUps.map((f: { number: number }) => f.number)).toEqual([931, 932, 933, 934]);
      // The result, not the config it was computed from.
      expect(report).not.toHaveProperty("config");
      expect(stdout).not.toContain('netra-staging"');
    } finally {
      emulator.setService(scenarioServices().services[0]);
    }
  });

  test("nothing would change (closed, passing, the comment says so, every follow-up there) -> exit 0", async () => {
    emulator.setService(scenarioServices({ fixed: true }).services[0]);
    try {
      const problems = ["drift:staging>production:netra-backend", "drift:staging>production:auth-service"];
      const comment = {
        id: 555,
        body: `${writeMarker("diagnosis", { v: 1, followUps: [], problems })}\nold`,
        user: { login: "config-triage[bot]", type: "Bot" },
        performed_via_github_app: { id: 4242 },
      };
      const followUp = (n: number, template: string) => ({
        id: n * 10,
        number: n,
        title: template,
        state: "open",
        user: comment.user,
        performed_via_github_app: comment.performed_via_github_app,
        body: `${writeMarker("follow-up", { parent: 930, template })}\nbody`,
      });
      mockTriageReads(
        nock(API)
          .get(`${REPO}/issues/930`)
          .reply(200, { ...githubIssue(), state: "closed" }),
        {
          comments: [comment],
          subIssues: [
            followUp(931, "immediate-fix"),
            followUp(932, "ssot-consolidation"),
            followUp(933, "flow-documentation"),
            followUp(934, "health-monitoring"),
          ],
        },
      );
      const { code, stdout } = await run(["plan", "--issue", `${owner}/${repo}#930`]);
      expect(code).toBe(0);
      expect(stdout).toContain("PASS: 4 checks on 4 services");
      expect(stdout).toContain("Would write nothing");
    } finally {
      emulator.setService(scenarioServices().services[0]);
    }
  });

  test("an invalid config in the repository: prints the problems with their lines, exit 2", async () => {
    nock(API)
      .get(`${REPO}/issues/930`)
      .reply(200, githubIssue())
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .times(2)
      .reply(200, "environments:\n  staging:\n    project: p\n    regoin: r\n    services: [a]\n")
      .get(`${REPO}/issues/930/comments`)
      .query(true)
      .reply(200, []);
    const { code, stdout } = await run(["plan", "--issue", `${owner}/${repo}#930`]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      ".github/config-triage.yml:4:5: unknown key `regoin` in `environments.staging`: did you mean `region`?",
    );
    expect(stdout).toContain("Would comment with these problems, and write nothing else.");
  });

  test("no config in the repository: falls back to the owner's .github repository, like the app", async () => {
    nock(API)
      .get(`${REPO}/issues/930`)
      .reply(200, githubIssue())
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .reply(404, { message: "Not Found" })
      .get(`/repos/${owner}/.github/contents/.github%2Fconfig-triage.yml`)
      .reply(404, { message: "Not Found" })
      .get(`${REPO}/issues/930/comments`)
      .query(true)
      .reply(200, []);
    const { code, stdout } = await run(["plan", "--issue", `${owner}/${repo}#930`]);
    expect(code).toBe(2);
    expect(stdout).toContain(".github/config-triage.yml: the file does not exist");
  });

  test.each([
    ["no token", ["plan", "--issue", "a/b#1"], { GITHUB_TOKEN: "" }, /set GITHUB_TOKEN/],
    ["bad reference", ["plan", "--issue", "a/b/1"], {}, /--issue a\/b\/1: expected OWNER\/REPO#NUMBER/],
    ["no --issue", ["plan"], {}, /required option '--issue <ref>' not specified/],
  ])("%s -> exit 2", async (_name, args, env, message) => {
    const { code, stderr } = await run(args, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  test("an issue the token cannot see -> exit 2 with what to check", async () => {
    nock(API).get(`${REPO}/issues/1`).reply(404, { message: "Not Found" });
    const { code, stderr } = await run(["plan", "--issue", `${owner}/${repo}#1`]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${owner}/${repo}#1: no such issue, or the token may not read ${owner}/${repo}`);
  });
});

describe("readOnlyIssueGitHub", () => {
  test.each(["createComment", "updateComment", "createIssue", "addSubIssue", "closeIssue"] as const)(
    "%s throws without calling GitHub",
    async (method) => {
      const gh = readOnlyIssueGitHub(new Octokit({ auth: "x" }), owner, repo, 930);
      await expect((gh[method] as (...a: unknown[]) => Promise<unknown>)(1, "x")).rejects.toBeInstanceOf(ReadOnlyError);
    },
  );
});
