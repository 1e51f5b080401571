/**
 * End to end with REDIS_URL: two real server processes share a real redis-server (BullMQ queue, per-issue lines,
 * delivery de-duplication, Probot's throttling) and receive the same events, as behind a load balancer.
 */
import { Redis } from "ioredis";
import { randomUUID, waitForQuiet, waitFor, type RedisServer } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

let redis: RedisServer;
const e2e = useE2E({ appId: 33, backdateIssues: true });
const { addRepo, labeled, appComments, followUps, expectFollowUpsOnce, apps } = e2e;
const start = () => e2e.start({ REDIS_URL: redis.url, QUEUE_LOCK_MS: "3000", QUEUE_BACKOFF_MS: "300" });

beforeAll(async () => {
  redis = await e2e.startRedis();
});

describe("two instances sharing Redis", () => {
  it("act as one: a delivery to both runs once; two events for an issue, one comment, four follow-ups", async () => {
    const parent = addRepo("shared");
    const [a, b] = [await start(), await start()];
    const delivery = randomUUID();
    const statuses = await Promise.all([
      a.deliver("issues", labeled("shared"), { delivery }),
      b.deliver("issues", labeled("shared"), { delivery }),
      b.deliver("issues", labeled("shared")),
    ]);
    expect(statuses.sort()).toEqual([200, 202, 202]);
    await waitFor("the diagnosis comment", () => appComments("shared")[0], 60_000);
    await waitForQuiet(() => e2e.github.requests.length);
    const made = followUps("shared");
    expect(made).toHaveLength(4);
    expect(made.every((f) => f.parent === parent.id)).toBe(true);
    expect(appComments("shared")).toHaveLength(1);

    // Probot shares its GitHub write pacing through the same Redis (Bottleneck's clustered limiters).
    const client = new Redis(redis.url);
    const keys = await client.keys("b_octokit-*");
    await client.quit();
    expect(keys.length).toBeGreaterThan(0);
  }, 120_000);

  it("hand a run whose instance died to the other instance, which finishes it without duplicates", async () => {
    addRepo("handover");
    for (const app of apps) await app.stop();
    const a = await start();
    expect(await a.deliver("issues", labeled("handover"))).toBe(202);
    await waitFor("a follow-up", () => (followUps("handover").length >= 1 ? true : undefined), 60_000);
    await a.kill();
    // No webhook is sent again: the job waits in Redis, and the next instance takes it over once its lock expires.
    const b = await start();
    const comment = await waitFor(
      "the diagnosis comment from the other instance",
      () => appComments("handover")[0],
      90_000,
    ).catch((error) => {
      throw new Error(`${error}\n${b.logs.join("")}`);
    });
    for (const f of expectFollowUpsOnce("handover", 4)) expect(comment.body).toContain(`#${f.number}`);
  }, 150_000);
});
