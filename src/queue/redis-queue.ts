import { setTimeout as sleep } from "node:timers/promises";
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { orderingKey, retryDelay, type EventQueue, type EventRunner, type QueuedEvent, type QueueSettings } from "./event-queue.js";
import type { QueueLog } from "./memory-queue.js";

/** How long a redelivery is recognised: GitHub lets people redeliver up to 3 days back. */
const DELIVERY_TTL_S = 4 * 24 * 3600;
/** How often a job that waits for its issue's turn looks again. */
const TURN_POLL_MS = 300;
/** A head entry with no job behind it this long after a later job arrived is an enqueue that died half-way. */
const ORPHAN_MS = 30_000;

/**
 * Atomically: remember the delivery id (false when seen: a redelivery), take the next arrival number and put the
 * delivery at its place in its issue's line (a sorted set by arrival number).
 */
const ENQUEUE_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], seq, ARGV[2])
return seq`;

export interface RedisQueueOptions {
  /** Key prefix (BullMQ's and ours); instances that should act as one share it. Default `config-triage`. */
  prefix?: string;
  /** BullMQ lock of a running job; a job whose instance died is handed to another after about this long. */
  lockMs?: number;
}

/**
 * The distributed queue (REDIS_URL): a BullMQ queue that every instance feeds and works, durable across restarts.
 *
 * Per-issue ordering without BullMQ Pro's groups: each delivery gets an arrival number and joins its issue's line, a
 * Redis sorted set `<prefix>:line:<owner/repo#number>`. A worker runs a job only when its delivery is the head of its
 * line; any other job of that issue moves itself back to "delayed" for a moment (BullMQ's `DelayedError`, which
 * costs no attempt) and looks again. The head leaves the line when its job succeeds or fails for good. So one issue
 * runs one event at a time, in arrival order, on whichever instance, while other issues run in parallel (up to
 * `concurrency` per instance). Chosen over a per-issue lock (which orders nothing: two waiting jobs race for it) and
 * over one job id per issue plus a list (a job that finishes while a new event arrives can strand that event).
 * A job whose instance dies keeps its place at the head; BullMQ's stalled-job check hands it to another instance.
 * De-duplication: `SET NX` on the delivery id, in the same script, so a redelivery never joins a line.
 */
export async function createRedisQueue(url: string, settings: QueueSettings, runner: EventRunner, log: QueueLog, options: RedisQueueOptions = {}): Promise<EventQueue> {
  const prefix = options.prefix || process.env.QUEUE_PREFIX || "config-triage";
  const lockMs = options.lockMs ?? (Number(process.env.QUEUE_LOCK_MS) || 30_000);
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", (error) => log.error({ err: error }, "redis connection error"));
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on("error", () => undefined);
  const queue = new Queue<QueuedEvent>("events", { connection, prefix });
  const lineKey = (event: QueuedEvent) => `${prefix}:line:${orderingKey(event)}`;
  let closing = false;

  const worker = new Worker<QueuedEvent>(
    "events",
    async (job: Job<QueuedEvent>, token?: string) => {
      const event = job.data;
      const line = lineKey(event);
      for (;;) {
        const [head] = await redis.zrange(line, 0, 0);
        if (head === undefined || head === event.id) {
          if (head === undefined) {
            // Already finished by an earlier run of this job (it died before BullMQ recorded the result).
            log.info({ delivery: event.id }, "event already done; skipping");
            return;
          }
          break;
        }
        const headJob = await queue.getJob(head);
        if (!headJob && Date.now() - job.timestamp > ORPHAN_MS) {
          log.warn({ delivery: head, line }, "dropping an entry whose job was never queued");
          await redis.zrem(line, head);
          continue;
        }
        await job.moveToDelayed(Date.now() + TURN_POLL_MS, token);
        throw new DelayedError();
      }
      const attempt = job.attemptsMade + 1;
      try {
        await runner.run(event, attempt);
      } catch (error) {
        const retry = attempt < settings.attempts && !closing && retryDelay(error, attempt, settings) !== undefined;
        if (retry) {
          log.warn({ delivery: event.id, event: event.name, attempt }, "event failed, will retry");
          throw error;
        }
        await runner.giveUp(event, error, attempt).catch((e) => log.error({ delivery: event.id, err: e }, "could not report a failed event"));
        await redis.zrem(line, event.id);
        throw new UnrecoverableError(String((error as Error)?.message ?? error));
      }
      await redis.zrem(line, event.id);
    },
    {
      connection: new Redis(url, { maxRetriesPerRequest: null }),
      prefix,
      concurrency: settings.concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
      maxStalledCount: 5,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => retryDelay(err, attemptsMade, settings) ?? settings.backoffMs,
      },
    },
  );
  worker.on("error", (error) => log.error({ err: error }, "queue worker error"));
  await worker.waitUntilReady();

  return {
    kind: "redis",
    async enqueue(event) {
      if (closing) return "closing";
      const line = lineKey(event);
      const delivery = `${prefix}:delivery:${event.id}`;
      const seq = Number(await redis.eval(ENQUEUE_LUA, 3, delivery, `${prefix}:seq`, line, String(DELIVERY_TTL_S), event.id));
      if (!seq) return "duplicate";
      try {
        await queue.add("event", event, {
          jobId: event.id,
          attempts: settings.attempts,
          backoff: { type: "custom" },
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        });
      } catch (error) {
        // Undo, so that GitHub's failed delivery can be redelivered.
        await redis.multi().zrem(line, event.id).del(delivery).exec();
        throw error;
      }
      return "queued";
    },
    async depth() {
      return queue.getJobCountByTypes("waiting", "delayed", "prioritized");
    },
    async close(graceMs) {
      closing = true;
      const active = (await queue.getActive().catch(() => [])).map((j) => j.id!);
      const closed = await Promise.race([worker.close().then(() => true), sleep(graceMs).then(() => false)]);
      if (!closed) {
        // Whatever is still running keeps its place at the head of its line: BullMQ hands it to another instance
        // once its lock expires.
        log.warn({ deliveries: active }, "shutting down with events running: another instance takes them over");
        await worker.close(true).catch(() => undefined);
      }
      await queue.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      return closed ? [] : active;
    },
  };
}
