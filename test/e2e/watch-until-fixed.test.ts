/**
 * End to end: `watch:` closes the loop with nobody commenting. The real server (memory queue, then Redis with a restart
 * between two rechecks), the GitHub stand-in and the Cloud Run emulator: the label triages issue #930; scheduled
 * rechecks that find nothing new write nothing; once the secret is set in the emulator, the next scheduled recheck
 * closes the fix follow-up (with its one-line comment) and the parent, and the watch ends.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { RecordedRequest } from "../../dev/github-standin.js";
import { waitFor, type AppProcess } from "../../dev/app-server.js";
import { OWNER, useE2E } from "../support/e2e-harness.js";
import { scenarioConfigYaml, scenarioServices } from "../../dev/scenario.js";

const e2e = useE2E({ appId: 41, env: { CONFIG_TRIAGE_WATCH_MIN_EVERY: "1s", LOG_LEVEL: "info" } });
/** Rechecked every 2 seconds: the test waits for rechecks to happen, never for a time. */
const WATCHED = `${scenarioConfigYaml}watch:\n  every: 2s\n  for: 1d\n`;

/** The scheduled rechecks so far: each begins by reading the issue as GitHub has it now. */
const rechecks = (repo: string) =>
  e2e.github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${OWNER}/${repo}/issues/930`);

/** Requests that change something on GitHub (a GraphQL query is a read). */
function isWrite(r: RecordedRequest): boolean {
  if (r.method === "GET") return false;
  if (r.operationId === "graphql") return !/^\s*query\b/.test(String((r.body as { query?: string })?.query ?? ""));
  return !r.path.endsWith("/access_tokens");
}

/** Labels the scenario's issue and waits for the triage: the diagnosis comment and four follow-ups. */
async function labelAndTriage(app: AppProcess, repo: string) {
  // JWT_SECRET_STAGING missing on staging (a test before may have set it).
  for (const s of scenarioServices().services) e2e.cloudRun.setService(s);
  // A person adds the label: the issue carries it (the event below tells the app).
  e2e.addRepo(repo, WATCHED).labels.push("triage:config");
  expect(await app.deliver("issues", e2e.labeled(repo))).toBe(202);
  await waitFor("the diagnosis comment", () => e2e.appComments(repo)[0], 60_000);
  await waitFor("four follow-ups", () => (e2e.followUps(repo).length === 4 ? true : undefined), 60_000).catch(
    (error) => {
      throw new Error(`${error}\n${e2e.appComments(repo)[0]?.body}\n${app.logs.join("")}`);
    },
  );
}

/**
 * Waits until `n` more rechecks have begun than `after`: the ones before the last have finished (an issue runs one
 * event at a time).
 */
async function rechecksBeyond(repo: string, after: number, n: number, app: AppProcess) {
  await waitFor(`${n} scheduled rechecks`, () => (rechecks(repo).length >= after + n ? true : undefined), 60_000).catch(
    (error) => {
      throw new Error(`${error}\n${app.logs.join("")}`);
    },
  );
}

/** Sets the missing secret on staging: a new revision serves it. */
const fixTheSecret = () => {
  for (const s of scenarioServices({ fixed: true }).services) e2e.cloudRun.setService(s);
};

/** Asserts the closed loop: the parent and the fix follow-up closed by the app, the long-term follow-ups open. */
function expectClosedLoop(repo: string) {
  const parent = e2e.parent(repo);
  expect(parent).toMatchObject({ state: "closed", state_reason: "completed" });
  // Nobody commented: every comment on the parent is the app's one diagnosis comment.
  expect(parent.comments).toHaveLength(1);
  expect(parent.comments[0].body).toContain(
    "Every check passes (found by the scheduled recheck), so config-triage closed this issue as completed, and its fix",
  );
  const [fix, ...longTerm] = e2e.followUps(repo).sort((a, b) => a.number - b.number);
  expect(fix.title).toMatch(/^Fix configuration/);
  expect(fix).toMatchObject({ state: "closed", state_reason: "completed" });
  expect(fix.comments.map((c) => c.body)).toEqual([
    expect.stringMatching(/^✅ Fixed: JWT_SECRET_STAGING missing on staging passes in the live check of .* UTC/),
  ]);
  expect(fix.body).toMatch(/- \[x\] `JWT_SECRET_STAGING` is missing on staging/);
  for (const f of longTerm) expect(f.state).toBe("open");
}

describe("watch: until fixed, with nobody commenting", () => {
  it("memory mode: idle rechecks write nothing; the one after the fix closes the fix follow-up, parent", async () => {
    const repo = "watch-memory";
    const app = await e2e.start();
    await labelAndTriage(app, repo);
    const seen = rechecks(repo).length;
    await rechecksBeyond(repo, seen, 3, app);
    // Two whole rechecks found nothing new: nothing was written after the first recheck began.
    const firstRecheck = e2e.github.requests.indexOf(rechecks(repo)[seen]);
    expect(e2e.github.requests.slice(firstRecheck).filter(isWrite)).toEqual([]);

    fixTheSecret();
    await waitFor("the parent to close", () => (e2e.parent(repo).state === "closed" ? true : undefined), 60_000);
    expectClosedLoop(repo);
    await waitFor("the watch to end", () => (app.logs.join("").includes("watch stopped") ? true : undefined));
    await app.stop();
  }, 150_000);

  it("Redis mode: the watch survives a restart between two rechecks and the new process closes the loop", async () => {
    const redis = await e2e.startRedis();
    const repo = "watch-redis";
    const env = { REDIS_URL: redis.url, QUEUE_BACKOFF_MS: "300" };
    const first = await e2e.start(env);
    await labelAndTriage(first, repo);
    await rechecksBeyond(repo, 0, 1, first);
    await first.stop();

    // The schedule lives in Redis (a BullMQ job scheduler): the next process picks it up; nobody labels or comments.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue("watches", { connection, prefix: "config-triage" });
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const before = rechecks(repo).length;
    const second = await e2e.start(env);
    fixTheSecret();
    await rechecksBeyond(repo, before, 1, second);
    await waitFor("the parent to close", () => (e2e.parent(repo).state === "closed" ? true : undefined), 60_000);
    expectClosedLoop(repo);
    // The close ended the watch: its scheduler is gone from Redis.
    await waitFor("the scheduler to go", async () => ((await queue.getJobSchedulersCount()) === 0 ? true : undefined));
    await queue.close();
    connection.disconnect();
  }, 180_000);
});
