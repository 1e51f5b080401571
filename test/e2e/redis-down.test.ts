/**
 * Redis down, end to end: the real server with REDIS_URL and a real redis-server that is stopped mid-run. A delivery
 * that arrives while Redis is down is answered 503 within the enqueue deadline (GitHub shows it failed; redeliver it),
 * `/healthz` says the queue is unavailable and why; once Redis is back, health is ok again and the redelivery runs.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID, startRedis, waitFor, type AppProcess, type RedisServer } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

const e2e = useE2E({ appId: 47 });
let app: AppProcess;
let redis: RedisServer;

const health = async () => {
  const res = await fetch(`${app.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

afterAll(async () => {
  await app?.stop();
  await redis?.stop();
});

it("answers 503 while Redis is down, /healthz reports it, and the redelivery runs once Redis is back", async () => {
  // Redis keeps its data across the outage (as a managed Redis does): Probot's shared throttling keeps its settings
  // there, and a Redis that comes back empty fails it (ERR SETTINGS_KEY_NOT_FOUND) until the app restarts.
  const dir = mkdtempSync(join(tmpdir(), "redis-down-"));
  redis = await startRedis({ dir });
  const port = Number(new URL(redis.url).port);
  app = await e2e.start({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `down-${randomUUID()}`,
    QUEUE_ENQUEUE_TIMEOUT_MS: "1000",
  });
  expect(await health()).toEqual({ status: 200, body: { status: "ok", queue: "redis" } });
  e2e.addRepo("before-outage");
  expect(await app.deliver("issues", e2e.labeled("before-outage"))).toBe(202);
  await waitFor("the diagnosis comment", () => e2e.appComments("before-outage")[0]);

  await redis.stop();
  const down = await waitFor("/healthz to report the outage", async () => {
    const h = await health();
    return h.status === 503 ? h : undefined;
  });
  expect(down.body).toMatchObject({
    status: "unavailable",
    queue: "redis",
    error: expect.stringMatching(/^Redis (connection is|did not answer)/),
  });

  e2e.addRepo("during-outage");
  const delivery = randomUUID();
  expect(await app.deliver("issues", e2e.labeled("during-outage"), { delivery })).toBe(503);
  const said = "Redis did not take the delivery in time: answered 503";
  await waitFor("the log line", () => app.logs.join("").includes(said) || undefined);

  redis = await startRedis({ port, dir });
  await waitFor("/healthz to recover", async () => ((await health()).status === 200 ? true : undefined));
  // The redelivery of the refused delivery (same id) is queued, not taken for a duplicate, and runs.
  expect(await app.deliver("issues", e2e.labeled("during-outage"), { delivery })).toBe(202);
  const comment = await waitFor("the diagnosis comment after the outage", () => e2e.appComments("during-outage")[0]);
  expect(comment.body).toContain("JWT_SECRET_STAGING");
}, 150_000);
