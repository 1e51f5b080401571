import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
} from "../../../src/adapters/rate-limits/rate-limit-store.js";
import type { RateLimitStore } from "../../../src/use-cases/ports/rate-limit-store.js";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let server: ChildProcess;
let redis: Redis;

beforeAll(async () => {
  const port = await freePort();
  // A real redis-server (the Debian package; .ci/run installs it), no persistence.
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  for (;;) {
    const client = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 1,
    });
    try {
      await client.connect();
      redis = client;
      break;
    } catch (error) {
      client.disconnect();
      // Until it accepts connections, however long a loaded machine takes (jest's timeout bounds the hook).
      if (server.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

afterAll(async () => {
  await redis?.quit();
  server?.kill();
});

describe.each<[string, () => { store: RateLimitStore; advance(ms: number): Promise<void> }]>([
  [
    "memory",
    () => {
      let now = 1_000_000;
      return { store: createMemoryRateLimitStore(() => now), advance: async (ms) => void (now += ms) };
    },
  ],
  [
    "redis",
    () => {
      const prefix = `test:${Math.random()}:`;
      // The window passes when Redis expires the keys: made to happen now and waited for, instead of sleeping
      // through a short window, which a loaded machine could outlast between two hits.
      const advance = async () => {
        const keys = await redis.keys(`${prefix}*`);
        for (const k of keys) await redis.pexpire(k, 1);
        while (keys.length && (await redis.exists(...keys))) await new Promise((r) => setTimeout(r, 5));
      };
      return { store: createRedisRateLimitStore(redis, prefix), advance };
    },
  ],
])("%s store", (_name, make) => {
  it("counts hits per key within a window, says when it resets, and starts again after it", async () => {
    const { store, advance } = make();
    const window = 60_000;
    expect((await store.hit("a", window)).count).toBe(1);
    const second = await store.hit("a", window);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(window);
    expect((await store.hit("b", window)).count).toBe(1);
    await advance(window + 50);
    expect((await store.hit("a", window)).count).toBe(1);
  });
});

it("two stores on one Redis (two instances) share the count", async () => {
  const prefix = `shared:${Math.random()}:`;
  const one = createRedisRateLimitStore(redis, prefix);
  const two = createRedisRateLimitStore(redis, prefix);
  const counts = await Promise.all([one.hit("o/r#1", 60_000), two.hit("o/r#1", 60_000), one.hit("o/r#1", 60_000)]);
  expect(counts.map((c) => c.count).sort()).toEqual([1, 2, 3]);
});
