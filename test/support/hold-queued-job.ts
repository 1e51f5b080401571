/**
 * A queue instance that takes one job and never finishes it, for the stalled-job test: run with
 * `node --import tsx test/support/hold-queued-job.ts REDIS_URL PREFIX`, it queues one event and prints `holding` once
 * its worker runs it; the test then kills it with SIGKILL (an instance that dies mid-run).
 */
import { createRedisQueue } from "../../src/adapters/queue/redis-queue.js";

const [url, prefix, id, number] = process.argv.slice(2);
const quiet = { info() {}, warn() {}, error() {} };
const settings = { concurrency: 1, attempts: 3, backoffMs: 1, maxBackoffMs: 50 };
const queue = await createRedisQueue(
  url,
  settings,
  {
    run: () => (console.log("holding"), new Promise<void>(() => undefined)),
    giveUp: async () => undefined,
  },
  quiet,
  { prefix, lockMs: 1_000, maxStalledCount: 0 },
);
await queue.enqueue({
  id,
  name: "issues",
  payload: { repository: { full_name: "acme/shop" }, issue: { number: Number(number) } },
});
