import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { watchKey, type Watch } from "../../domain/follow-up-plan/decide-watch.js";
import type { WatchScheduler } from "../../use-cases/triage/watch-scheduler.js";
import type { QueueLog } from "./memory-queue.js";

/**
 * Adds a key to its installation's set of watches unless the set is full: 2 added, 1 already there, 0 full.
 * Atomic, so two instances starting watches at once cannot pass the bound together.
 */
const CLAIM_LUA = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 2`;

/**
 * Watches on Redis (`REDIS_URL`): one BullMQ job scheduler per watched issue (`queue.upsertJobScheduler`, id = the
 * watch's key, `every` = its interval, `endDate` = its end), so a watch survives restarts, and each due recheck is one
 * job that one worker of one instance takes: it runs once across instances. A Redis set per installation keeps the
 * bound (`max`). The worker hands each due watch to `onDue` (the server queues the recheck in the event queue, where
 * it waits its turn behind the other events).
 */
export async function createRedisWatchScheduler(
  url: string,
  o: { onDue(watch: Watch): Promise<void>; max: number; prefix?: string; log: QueueLog },
): Promise<WatchScheduler> {
  const prefix = o.prefix || "config-triage";
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on("error", (error) => o.log.error({ err: error }, "redis connection error (watches)"));
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  workerConnection.on("error", () => undefined);
  const queue = new Queue<Watch>("watches", { connection, prefix });
  const setKey = (installation: number) => `${prefix}:watches:${installation}`;

  const forget = async (key: string, installation: number) => {
    await connection.srem(setKey(installation), key);
    return queue.removeJobScheduler(key);
  };
  const get = async (key: string) => (await queue.getJobScheduler(key))?.template?.data as Watch | undefined;
  /** Drops members of an installation's set whose scheduler ended (BullMQ removes it after its end date). */
  const prune = async (installation: number) => {
    for (const key of await connection.smembers(setKey(installation))) {
      const watch = await get(key);
      if (!watch || watch.untilMs <= Date.now()) await forget(key, installation);
    }
  };

  const worker = new Worker<Watch>(
    "watches",
    async (job) => {
      const watch = job.data;
      if (Date.now() >= watch.untilMs) {
        await forget(watchKey(watch), watch.installation);
        return;
      }
      await o.onDue(watch);
    },
    { connection: workerConnection, prefix, concurrency: 4 },
  );
  worker.on("error", (error) => o.log.error({ err: error }, "watch worker error"));

  return {
    kind: "redis",
    async start(watch, options = {}) {
      const key = watchKey(watch);
      const claim = () => connection.eval(CLAIM_LUA, 1, setKey(watch.installation), key, String(o.max));
      let claimed = Number(await claim());
      if (claimed === 0) {
        await prune(watch.installation);
        claimed = Number(await claim());
      }
      if (claimed === 0) return { kind: "full", max: o.max };
      const existing = claimed === 1 ? await get(key) : undefined;
      const untilMs = existing && !options.restart ? existing.untilMs : watch.untilMs;
      if (existing && existing.everyMs === watch.everyMs && existing.untilMs === untilMs)
        return { kind: "kept", untilMs };
      const data: Watch = { ...watch, untilMs };
      // The first recheck is one interval away: the triage that starts the watch has just checked.
      await queue.upsertJobScheduler(
        key,
        { every: watch.everyMs, startDate: Date.now() + watch.everyMs, endDate: untilMs },
        { name: "recheck", data, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
      return { kind: existing ? "kept" : "started", untilMs };
    },
    async stop(key) {
      const watch = await get(key);
      const installation = watch?.installation ?? Number(key.split(":")[0]);
      return forget(key, installation);
    },
    get,
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
      workerConnection.disconnect();
    },
  };
}
