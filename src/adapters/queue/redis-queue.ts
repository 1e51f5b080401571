import { setTimeout as sleep } from "node:timers/promises";
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import {
  orderingKey,
  retryDelay,
  type EnqueueResult,
  type EventQueue,
  type EventRunner,
  type QueuedEvent,
  type QueueSettings,
} from "./event-queue.js";
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
  /** Times a job may stall (its instance died) before BullMQ fails it for good. Default 5. */
  maxStalledCount?: number;
  /** How often stalled jobs are looked for. Default half the lock. */
  stalledIntervalMs?: number;
}

/** `/healthz` waits this long for Redis to answer a PING. */
const HEALTH_PING_MS = 1_000;

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
 * A job that ends failed by any path (its run gave up, or BullMQ failed it without running it because it stalled more
 * than `maxStalledCount` times) leaves its line and is reported through `runner.giveUp`, exactly once: whoever removes
 * the line entry (ZREM answers 1) reports it. So a failed job never blocks its issue.
 * De-duplication: `SET NX` on the delivery id, in the same script, so a redelivery never joins a line.
 * Redis down: an enqueue that is not stored within `enqueueTimeoutMs` answers `unavailable` (the webhook's 503) and is
 * undone if Redis takes it later, so a redelivery is not mistaken for a duplicate.
 */
export async function createRedisQueue(
  url: string,
  settings: QueueSettings,
  runner: EventRunner,
  log: QueueLog,
  options: RedisQueueOptions = {},
): Promise<EventQueue> {
  const prefix = options.prefix || "config-triage";
  const lockMs = options.lockMs ?? 30_000;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", (error) => log.error({ err: error }, "redis connection error"));
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on("error", () => undefined);
  const queue = new Queue<QueuedEvent>("events", { connection, prefix });
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  const lineKey = (event: QueuedEvent) => `${prefix}:line:${orderingKey(event)}`;
  let closing = false;
  const enqueueTimeoutMs = settings.enqueueTimeoutMs ?? 3_000;

  /** Takes a job that failed for good out of its issue's line and reports it, unless another path already did. */
  async function leaveLineFailed(job: Job<QueuedEvent>, error: unknown): Promise<void> {
    if (!(await redis.zrem(lineKey(job.data), job.data.id))) return;
    log.error(
      { delivery: job.data.id, event: job.data.name, why: job.failedReason },
      "event failed without finishing its run",
    );
    await runner
      .giveUp(job.data, error, job.attemptsMade)
      .catch((e) => log.error({ delivery: job.data.id, err: e }, "could not report a failed event"));
  }

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
        if (headJob?.finishedOn && (await headJob.isFailed())) {
          // Failed for good while still in the line (its instance died before the `failed` handler ran).
          await leaveLineFailed(headJob, new Error(headJob.failedReason || "the event failed"));
          continue;
        }
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
        await runner
          .giveUp(event, error, attempt)
          .catch((e) => log.error({ delivery: event.id, err: e }, "could not report a failed event"));
        await redis.zrem(line, event.id);
        throw new UnrecoverableError(String((error as Error)?.message ?? error));
      }
      await redis.zrem(line, event.id);
    },
    {
      connection: workerConnection,
      prefix,
      concurrency: settings.concurrency,
      lockDuration: lockMs,
      stalledInterval: options.stalledIntervalMs ?? Math.max(1_000, Math.floor(lockMs / 2)),
      maxStalledCount: options.maxStalledCount ?? 5,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          retryDelay(err, attemptsMade, settings) ?? settings.backoffMs,
      },
    },
  );
  worker.on("error", (error) => log.error({ err: error }, "queue worker error"));
  // Every failure ends here, the ones BullMQ decides without running the job included (stalled too often).
  worker.on("failed", (job, error) => {
    if (!job) return;
    void (async () => {
      if (await job.isFailed()) await leaveLineFailed(job, error);
    })().catch((e) => log.error({ delivery: job.id, err: e }, "could not clear a failed event from its line"));
  });
  await worker.waitUntilReady();

  return {
    kind: "redis",
    async enqueue(event) {
      if (closing) return "closing";
      const line = lineKey(event);
      const delivery = `${prefix}:delivery:${event.id}`;
      // Undo, so that GitHub's failed delivery can be redelivered.
      const undo = () => redis.multi().zrem(line, event.id).del(delivery).exec();
      let late = false;
      const store = async (): Promise<EnqueueResult> => {
        const seq = Number(
          await redis.eval(ENQUEUE_LUA, 3, delivery, `${prefix}:seq`, line, String(DELIVERY_TTL_S), event.id),
        );
        if (!seq) return "duplicate";
        if (late) {
          await undo();
          return "unavailable";
        }
        try {
          await queue.add("event", event, {
            jobId: event.id,
            attempts: settings.attempts,
            backoff: { type: "custom" },
            removeOnComplete: { age: 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          });
        } catch (error) {
          await undo();
          throw error;
        }
        return "queued";
      };
      // Redis down: ioredis holds commands until it reconnects, so without a deadline the webhook would never answer.
      const stored = store();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), enqueueTimeoutMs)));
      try {
        const failed = (error: unknown) => {
          log.error({ delivery: event.id, err: error }, "Redis refused the delivery: answered 503");
          return "unavailable" as const;
        };
        const result = await Promise.race([stored.catch(failed), deadline]);
        if (result !== "late") return result;
        late = true;
        log.error(
          { delivery: event.id, event: event.name, timeoutMs: enqueueTimeoutMs },
          "Redis did not take the delivery in time: answered 503",
        );
        return "unavailable";
      } finally {
        clearTimeout(timer);
      }
    },
    async health() {
      if (redis.status !== "ready") return { ok: false, error: `Redis connection is ${redis.status}` };
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("late"), HEALTH_PING_MS)));
      const answer = await Promise.race([redis.ping().catch((e: Error) => e.message), late]).finally(() =>
        clearTimeout(timer),
      );
      return answer === "PONG"
        ? { ok: true }
        : {
            ok: false,
            error: answer === "late" ? `Redis did not answer PING within ${HEALTH_PING_MS} ms` : `Redis: ${answer}`,
          };
    },
    async depth() {
      return queue.getJobCountByTypes("waiting", "delayed", "prioritized");
    },
    async close(graceMs) {
      closing = true;
      const active = (await queue.getActive().catch(() => [])).map((j) => j.id!);
      const closed = await Promise.race([
        worker.close().then(() => true),
        sleep(graceMs, undefined, { ref: false }).then(() => false),
      ]);
      if (!closed) {
        // Whatever is still running keeps its place at the head of its line: BullMQ hands it to another instance
        // once its lock expires.
        log.warn({ deliveries: active }, "shutting down with events running: another instance takes them over");
        await worker.close(true).catch(() => undefined);
      }
      await queue.close().catch(() => undefined);
      // BullMQ leaves connections it was handed open.
      await Promise.all([redis, connection, workerConnection].map((c) => c.quit().catch(() => c.disconnect())));
      return closed ? [] : active;
    },
  };
}
