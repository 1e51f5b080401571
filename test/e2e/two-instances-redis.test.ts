/**
 * End to end with REDIS_URL: two real server processes share a real redis-server (BullMQ queue, per-issue lines,
 * delivery de-duplication, Probot's throttling) and receive the same events, as behind a load balancer.
 */
import { Redis } from "ioredis";
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, waitForQuiet, startApp, startRedis, waitFor, type AppProcess, type RedisServer } from "../support/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 33;
const SECRET = `e2e-${randomUUID()}`;
const OWNER = "netra-systems";

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let redis: RedisServer;
const apps: AppProcess[] = [];

async function start() {
  const env = appEnv(
    { appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET },
    { REDIS_URL: redis.url, QUEUE_LOCK_MS: "3000", QUEUE_BACKOFF_MS: "300" },
  );
  const app = await startApp({ env });
  apps.push(app);
  return app;
}

function addScenarioRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  return github.addIssue(`${OWNER}/${repo}`, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
}

function labeled(repo: string) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  payload.installation.id = 1;
  payload.issue.created_at = new Date(Date.now() - 60_000).toISOString();
  return payload;
}

const appComments = (repo: string) => github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!.comments.filter((c) => c.user.login === github.botLogin);
const followUps = (repo: string) => github.issues(`${OWNER}/${repo}`).filter((i) => i.user.login === github.botLogin);

beforeAll(async () => {
  redis = await startRedis();
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: APP_ID });
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

describe("two instances sharing Redis", () => {
  it("give the result of one: a delivery sent to both runs once; two events for one issue give one comment and four follow-ups", async () => {
    const parent = addScenarioRepo("shared");
    const [a, b] = [await start(), await start()];
    const delivery = randomUUID();
    const statuses = await Promise.all([
      a.deliver("issues", labeled("shared"), { delivery }),
      b.deliver("issues", labeled("shared"), { delivery }),
      b.deliver("issues", labeled("shared")),
    ]);
    expect(statuses.sort()).toEqual([200, 202, 202]);
    await waitFor("the diagnosis comment", () => appComments("shared")[0], 60_000);
    await waitForQuiet(() => github.requests.length);
    const made = followUps("shared");
    expect(made).toHaveLength(4);
    expect(made.every((f) => f.parent === parent.id)).toBe(true);
    expect(appComments("shared")).toHaveLength(1);

    // Probot shares its GitHub write pacing through the same Redis (Bottleneck's clustered limiters).
    const client = new Redis(redis.url);
    const keys = await client.keys("b_octokit-*");
    await client.quit();
    expect(keys.length).toBeGreaterThan(0);
  }, 120_000);

  it("hand a run whose instance died to the other instance, which finishes it without duplicates", async () => {
    const parent = addScenarioRepo("handover");
    for (const app of apps) await app.stop();
    const a = await start();
    expect(await a.deliver("issues", labeled("handover"))).toBe(202);
    await waitFor("a follow-up", () => (followUps("handover").length >= 1 ? true : undefined), 60_000);
    await a.kill();
    // No webhook is sent again: the job waits in Redis, and the next instance takes it over once its lock expires.
    const b = await start();
    const comment = await waitFor("the diagnosis comment from the other instance", () => appComments("handover")[0], 90_000).catch((error) => {
      throw new Error(`${error}\n${b.logs.join("")}`);
    });
    const made = followUps("handover");
    expect(made).toHaveLength(4);
    expect(new Set(made.map((f) => f.title)).size).toBe(4);
    expect(made.every((f) => f.parent === parent.id)).toBe(true);
    for (const f of made) expect(comment.body).toContain(`#${f.number}`);
  }, 150_000);
});
