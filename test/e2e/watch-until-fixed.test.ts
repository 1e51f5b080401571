/**
 * End to end: `watch:` closes the loop with nobody commenting. The real server (memory queue, then Redis with a restart
 * between two rechecks), the GitHub stand-in and the Cloud Run emulator: the label triages issue #930; scheduled
 * rechecks that find nothing new write nothing; once the secret is set in the emulator, the next scheduled recheck
 * closes the fix follow-up (with its one-line comment) and the parent, and the watch ends.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { waitFor } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { isWrite, watchScenario } from "../support/watch-scenario.js";

const e2e = useE2E({ appId: 41, env: { CONFIG_TRIAGE_WATCH_MIN_EVERY: "1s", LOG_LEVEL: "info" } });
const { rechecks, labelAndTriage, rechecksBeyond, fixTheSecret, expectClosedLoop } = watchScenario(e2e);

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
