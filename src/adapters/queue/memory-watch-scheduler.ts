import { watchKey, type Watch } from "../../domain/follow-up-plan/decide-watch.js";
import type { WatchScheduler } from "../../use-cases/triage/watch-scheduler.js";

/**
 * Watches in the process (no `REDIS_URL`): best effort. A timer per watched issue hands the watch to `onDue` every
 * `everyMs` until `untilMs`; everything is lost when the process stops (the README says so).
 */
export function createMemoryWatchScheduler(o: {
  onDue(watch: Watch): void | Promise<void>;
  max: number;
  now?: () => number;
}): WatchScheduler {
  const now = o.now ?? Date.now;
  const watches = new Map<string, { watch: Watch; timer: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const entry = watches.get(key);
    if (entry) clearInterval(entry.timer);
    return watches.delete(key);
  };
  return {
    kind: "memory",
    async start(watch, options = {}) {
      const key = watchKey(watch);
      const existing = watches.get(key);
      if (!existing) {
        const count = [...watches.values()].filter((w) => w.watch.installation === watch.installation).length;
        if (count >= o.max) return { kind: "full", max: o.max };
      }
      const untilMs = existing && !options.restart ? existing.watch.untilMs : watch.untilMs;
      if (existing && existing.watch.everyMs === watch.everyMs && existing.watch.untilMs === untilMs)
        return { kind: "kept", untilMs };
      drop(key);
      const entry = { watch: { ...watch, untilMs }, timer: undefined as unknown as NodeJS.Timeout };
      entry.timer = setInterval(() => {
        if (now() >= entry.watch.untilMs) return void drop(key);
        void o.onDue(entry.watch);
      }, watch.everyMs);
      entry.timer.unref();
      watches.set(key, entry);
      return { kind: existing ? "kept" : "started", untilMs };
    },
    async stop(key) {
      return drop(key);
    },
    async get(key) {
      return watches.get(key)?.watch;
    },
    async close() {
      for (const key of [...watches.keys()]) drop(key);
    },
  };
}
