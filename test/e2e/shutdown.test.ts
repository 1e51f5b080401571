/**
 * End to end: SIGTERM, as Cloud Run sends it before it stops an instance. The real server is in the middle of a triage
 * (the GitHub stand-in answers slowly): it refuses new deliveries with 503 (GitHub shows them failed, to redeliver),
 * lets the running triage finish within SHUTDOWN_GRACE_MS (in memory) or hands it back to Redis when the grace is too
 * short, and exits 0. Either way the issue ends complete: one comment, every follow-up, each once.
 */
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, startApp, startRedis, waitFor, waitForQuiet, type AppProcess, type RedisServer } from "../support/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 38;
const SECRET = `e2e-${randomUUID()}`;
const OWNER = "netra-systems";

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let redis: RedisServer | undefined;
const apps: AppProcess[] = [];

async function start(extra: Record<string, string>) {
  const env = appEnv({ appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET }, { LOG_LEVEL: "info", ...extra });
  const app = await startApp({ env });
  apps.push(app);
  return app;
}

function addRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  return github.addIssue(`${OWNER}/${repo}`, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
}

function labeled(repo: string) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  payload.installation.id = 1;
  return payload;
}

const appComments = (repo: string) => github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!.comments.filter((c) => c.user.login === github.botLogin);
const followUps = (repo: string) => github.issues(`${OWNER}/${repo}`).filter((i) => i.user.login === github.botLogin);
const touched = (repo: string) => github.requests.some((r) => r.path.includes(`/${repo}/`) || JSON.stringify(r.body ?? "").includes(`"${repo}"`));

/** Sends SIGTERM once the triage of `repo` is under way, checks a new delivery gets 503, and returns the exit code. */
async function terminateMidRun(app: AppProcess, repo: string): Promise<number | null> {
  await waitFor(`the triage of ${repo} to start`, () => (touched(repo) ? true : undefined), 20_000);
  expect(appComments(repo)).toHaveLength(0);
  app.child.kill("SIGTERM");
  await waitFor("the shutdown to begin", () => (app.logs.join("").includes("shutting down") ? true : undefined), 5_000);
  addRepo(`${repo}-late`);
  expect(await app.deliver("issues", labeled(`${repo}-late`))).toBe(503);
  return app.exited;
}

function expectComplete(repo: string) {
  const parent = github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!;
  expect(appComments(repo)).toHaveLength(1);
  const made = followUps(repo);
  expect(made).toHaveLength(4);
  expect(new Set(made.map((f) => f.title)).size).toBe(4);
  expect(made.every((f) => f.parent === parent.id)).toBe(true);
  // The delivery refused with 503 was never run.
  expect(appComments(`${repo}-late`)).toHaveLength(0);
}

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: APP_ID, latencyMs: 250 });
});

afterAll(async () => {
  for (const app of apps) await app.stop();
  await github?.close();
  await cloudRun?.close();
  await redis?.stop();
});

afterEach(() => {
  expect(github.violations).toEqual([]);
});

it("in memory: the running triage finishes within the grace period, a new delivery gets 503, the process exits 0", async () => {
  addRepo("drain");
  const app = await start({ SHUTDOWN_GRACE_MS: "8000" });
  expect(await app.deliver("issues", labeled("drain"))).toBe(202);
  expect(await terminateMidRun(app, "drain")).toBe(0);
  expectComplete("drain");
}, 60_000);

it("with Redis: a triage longer than the grace period is handed back, and the next instance completes it", async () => {
  redis = await startRedis();
  addRepo("handback");
  const redisEnv = { REDIS_URL: redis.url, QUEUE_LOCK_MS: "2000", QUEUE_BACKOFF_MS: "300" };
  const first = await start({ ...redisEnv, SHUTDOWN_GRACE_MS: "200" });
  // The first instance's read of the issue takes 5 s: longer than the grace period.
  github.fault({ method: "POST", path: /graphql$/, bodyMatches: /query ConfigTriageRead[\s\S]*handback/, delayMs: 5_000 });
  expect(await first.deliver("issues", labeled("handback"))).toBe(202);
  expect(await terminateMidRun(first, "handback")).toBe(0);
  expect(first.logs.join("")).toContain("another instance takes them over");
  expect(appComments("handback")).toHaveLength(0);
  expect(followUps("handback")).toHaveLength(0);

  // A new instance (a restart, or another one behind the load balancer) takes the job over once its lock expires.
  await start(redisEnv);
  await waitFor("the diagnosis comment", () => appComments("handback")[0], 30_000);
  await waitForQuiet(() => github.requests.length);
  expectComplete("handback");
}, 90_000);
