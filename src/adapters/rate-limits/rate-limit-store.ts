import type { Redis } from "ioredis";
import type { RateLimitStore } from "../../use-cases/ports/rate-limit-store.js";

/** The default store: a map in this process. Counts are lost on restart, which only ever lets a triage through. */
export function createMemoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, windowMs) {
      const t = now();
      for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
      const current = windows.get(key) ?? { count: 0, resetAt: t + windowMs };
      current.count += 1;
      windows.set(key, current);
      return { count: current.count, resetInMs: current.resetAt - t };
    },
  };
}

/**
 * The shared store: `SET key 0 PX window NX` opens a window once, `INCR` counts in it (INCR keeps the expiry), `PTTL`
 * tells when it ends; one MULTI, so instances never see half a window. Takes the caller's connection (the queue's).
 */
export function createRedisRateLimitStore(redis: Redis, prefix = "config-triage:rate:"): RateLimitStore {
  return {
    async hit(key, windowMs) {
      const k = prefix + key;
      const results = await redis.multi().set(k, "0", "PX", windowMs, "NX").incr(k).pttl(k).exec();
      if (!results) throw new Error("Redis aborted the rate-limit transaction");
      for (const [error] of results) if (error) throw error;
      const count = Number(results[1][1]);
      const ttl = Number(results[2][1]);
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    },
  };
}
