/**
 * A job that stalls more often than BullMQ allows (`maxStalledCount`) is failed by BullMQ without its processor ever
 * running again. It must still leave its issue's line and be reported (the "could not finish" notice comes from
 * `giveUp`), or every later event of that issue waits for 7 days. Real redis-server, two queue instances: the first
 * (a process of its own) takes the job and is killed holding it, the second finds it stalled.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { createRedisQueue } from "../../../src/adapters/queue/redis-queue.js";
import type { EventQueue, EventRunner, QueuedEvent } from "../../../src/adapters/queue/event-queue.js";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { randomUUID, startRedis, waitFor, type RedisServer } from "../../../dev/app-server.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

const quiet = { info() {}, warn() {}, error() {} };
const settings = { concurrency: 2, attempts: 3, backoffMs: 1, maxBackoffMs: 50 };
const event = (id: string, number: number): QueuedEvent => ({
  id,
  name: "issues",
  payload: { repository: { full_name: "acme/shop" }, issue: { number } },
});

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it("a job failed for stalling too often leaves its issue's line, is reported; the next event runs", async () => {
  const prefix = `stall-${randomUUID()}`;
  // The first instance, in a process of its own: it takes the job, then dies holding it (SIGKILL).
  const holder = spawn(
    process.execPath,
    ["--import", "tsx", "test/support/hold-queued-job.ts", redis.url, prefix, "d-1", "7"],
    {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise((resolve) => holder.on("exit", resolve));
  let out = "";
  holder.stdout!.on("data", (d) => (out += d));
  await waitFor("the first instance to take the job", () => (out.includes("holding") ? true : undefined), 30_000);
  holder.kill("SIGKILL");
  await exited;

  const ran: string[] = [];
  const gaveUp: Array<{ id: string; why: string }> = [];
  const survivor: EventRunner = {
    run: async (e) => void ran.push(e.id),
    giveUp: async (e, error) => void gaveUp.push({ id: e.id, why: String((error as Error)?.message) }),
  };
  let second: EventQueue | undefined;
  try {
    second = await createRedisQueue(redis.url, settings, survivor, quiet, {
      prefix,
      lockMs: 1_000,
      maxStalledCount: 0,
      stalledIntervalMs: 200,
    });
    await waitFor("the stalled job to be reported", () => gaveUp.length || undefined, 30_000);
    expect(gaveUp).toEqual([{ id: "d-1", why: "job stalled more than allowable limit" }]);
    expect(ran).toEqual([]); // BullMQ failed it without running it

    expect(await second.enqueue(event("d-2", 7))).toBe("queued");
    await waitFor("the issue's next event to run", () => (ran.includes("d-2") ? true : undefined), 30_000);
    expect(gaveUp).toHaveLength(1); // reported once
  } finally {
    await second?.close(2_000);
  }
}, 60_000);
