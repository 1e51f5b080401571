/**
 * End to end: SIGTERM, as Cloud Run sends it before it stops an instance. The real server is in the middle of a triage
 * (the GitHub stand-in answers slowly): it refuses new deliveries with 503 (GitHub shows them failed, to redeliver),
 * lets the running triage finish within SHUTDOWN_GRACE_MS (in memory) or hands it back to Redis when the grace is too
 * short, and exits 0. Either way the issue ends complete: one comment, every follow-up, each once.
 */
import { waitFor, waitForQuiet, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

const e2e = useE2E({ appId: 38, standIn: { latencyMs: 250 }, env: { LOG_LEVEL: "info" } });
const { start, addRepo, labeled, appComments, followUps, expectFollowUpsOnce } = e2e;
const touched = (repo: string) =>
  e2e.github.requests.some((r) => r.path.includes(`/${repo}/`) || JSON.stringify(r.body ?? "").includes(`"${repo}"`));

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
  expect(appComments(repo)).toHaveLength(1);
  expectFollowUpsOnce(repo, 4);
  // The delivery refused with 503 was never run.
  expect(appComments(`${repo}-late`)).toHaveLength(0);
}

it("in memory: the running triage finishes in the grace period, a new delivery gets 503, exit 0", async () => {
  addRepo("drain");
  // A grace period far longer than the triage takes, even on a loaded machine: the process exits when it is done.
  const app = await start({ SHUTDOWN_GRACE_MS: "50000" });
  expect(await app.deliver("issues", labeled("drain"))).toBe(202);
  expect(await terminateMidRun(app, "drain")).toBe(0);
  expectComplete("drain");
}, 60_000);

it("with Redis: a triage longer than the grace period is handed back, and the next instance completes it", async () => {
  const redis = await e2e.startRedis();
  addRepo("handback");
  const redisEnv = { REDIS_URL: redis.url, QUEUE_LOCK_MS: "2000", QUEUE_BACKOFF_MS: "300" };
  const first = await start({ ...redisEnv, SHUTDOWN_GRACE_MS: "200" });
  // The first instance's read of the issue takes 5 s: longer than the grace period.
  e2e.github.fault({
    method: "POST",
    path: /graphql$/,
    bodyMatches: /query ConfigTriageRead[\s\S]*handback/,
    delayMs: 5_000,
  });
  expect(await first.deliver("issues", labeled("handback"))).toBe(202);
  expect(await terminateMidRun(first, "handback")).toBe(0);
  expect(first.logs.join("")).toContain("another instance takes them over");
  expect(appComments("handback")).toHaveLength(0);
  expect(followUps("handback")).toHaveLength(0);

  // A new instance (a restart, or another one behind the load balancer) takes the job over once its lock expires.
  await start(redisEnv);
  await waitFor("the diagnosis comment", () => appComments("handback")[0], 30_000);
  await waitForQuiet(() => e2e.github.requests.length);
  expectComplete("handback");
}, 90_000);
