/**
 * End to end: `watch:` with REDIS_URL runs once across instances. Two real server processes share one redis-server
 * while issue #930 is watched every 2 seconds (GitHub stand-in, Cloud Run emulator): each iteration of the watch's
 * BullMQ job scheduler becomes exactly one recheck on one of them (both take part), and once the secret is set the
 * next recheck closes the loop once: no write is made twice.
 */
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { waitFor } from "../../dev/app-server.js";
import { OWNER, useE2E } from "../support/e2e-harness.js";
import { isWrite, watchScenario } from "../support/watch-scenario.js";

const e2e = useE2E({ appId: 44, env: { CONFIG_TRIAGE_WATCH_MIN_EVERY: "1s", LOG_LEVEL: "info" } });
const { rechecks, labelAndTriage, fixTheSecret, expectClosedLoop } = watchScenario(e2e);
const prefix = "config-triage";

/** Whether a queue holds jobs that have yet to run (waiting, running, or due later). */
async function pending(queue: Queue): Promise<boolean> {
  return Object.values(await queue.getJobCounts("waiting", "active", "delayed")).some(Boolean);
}

it("two instances on one Redis: each recheck runs on one of them; the next after the fix closes once", async () => {
  const redis = await e2e.startRedis();
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const [watches, events] = [new Queue("watches", { connection, prefix }), new Queue("events", { connection, prefix })];
  // Every iteration of a watch that a worker finished, as BullMQ reports it: `repeat:<watch key>:<due time in ms>`.
  const iterations: string[] = [];
  const listener = new Redis(redis.url, { maxRetriesPerRequest: null });
  const watchEvents = new QueueEvents("watches", { connection: listener, prefix });
  watchEvents.on("completed", ({ jobId }) => void iterations.push(jobId));
  try {
    await watchEvents.waitUntilReady();
    const repo = "watch-two";
    const env = { REDIS_URL: redis.url, QUEUE_BACKOFF_MS: "300" };
    const [a, b] = [await e2e.start(env), await e2e.start(env)];
    const logs = () => [...a.logs, ...b.logs].join("");
    // The label's triage takes the issue from its event: every read of the issue below is a scheduled recheck's.
    await labelAndTriage(a, repo);

    // Both instances take part: the rechecks read with two installation tokens (each process mints its own).
    const tokens = () => new Set(rechecks(repo).map((r) => r.headers.authorization)).size;
    const byBoth = () => (rechecks(repo).length >= 3 && tokens() === 2 ? true : undefined);
    await waitFor("three rechecks, by both instances", byBoth, 90_000).catch((error) => {
      throw new Error(`${error}\n${logs()}`);
    });
    const fixedAt = e2e.github.requests.length;
    fixTheSecret();
    await waitFor("the parent to close", () => (e2e.parent(repo).state === "closed" ? true : undefined), 60_000);
    expectClosedLoop(repo);

    // The close ended the watch: its scheduler is gone, and the iterations due meanwhile have run (they found the
    // issue closed and wrote nothing).
    const settled = async () =>
      (await watches.getJobSchedulersCount()) === 0 && !(await pending(watches)) && !(await pending(events));
    await waitFor("the watch to end and its last rechecks to run", async () => ((await settled()) ? true : undefined));
    const reads = rechecks(repo).length;
    // BullMQ reports a finished iteration through a Redis stream: the test may read it a moment later.
    const reported = () => (iterations.length >= reads ? true : undefined);
    await waitFor("BullMQ's report of every iteration", reported, 10_000).catch(() => undefined);
    // One schedule for the issue, each of its iterations finished once and made exactly one recheck.
    expect(iterations.every((id) => id.startsWith(`repeat:1:${OWNER}/${repo}#930:`))).toBe(true);
    expect(new Set(iterations).size).toBe(iterations.length);
    expect(reads).toBe(iterations.length);
    expect(logs().split("watch stopped")).toHaveLength(2);

    // Nothing was written before the fix; after it, each write once: the loop closed once.
    const firstRecheck = e2e.github.requests.indexOf(rechecks(repo)[0]);
    expect(e2e.github.requests.slice(firstRecheck, fixedAt).filter(isWrite)).toEqual([]);
    // The fix follow-up closed with its checklist ticked, its one comment, then the diagnosis comment updated and the
    // parent closed in one GraphQL request.
    const fix = Math.min(...e2e.followUps(repo).map((f) => f.number));
    const closing = e2e.github.requests.slice(fixedAt).filter(isWrite);
    expect(closing.map((r) => `${r.method} ${r.operationId} ${r.path}`)).toEqual([
      `PATCH issues/update /repos/${OWNER}/${repo}/issues/${fix}`,
      `POST issues/create-comment /repos/${OWNER}/${repo}/issues/${fix}/comments`,
      "POST graphql /api/graphql",
    ]);
    expect(String((closing[2].body as { query: string }).query)).toMatch(/updateIssueComment[\s\S]*closeIssue/);
  } finally {
    await watchEvents.close();
    listener.disconnect();
    await watches.close();
    await events.close();
    connection.disconnect();
  }
}, 180_000);
