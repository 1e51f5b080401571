import { watchKey, type Watch } from "../../domain/follow-up-plan/decide-watch.js";

/** What became of a request to watch an issue. */
export type WatchStart =
  | { kind: "started" | "kept"; untilMs: number }
  /** The installation watches its maximum of issues already. */
  | { kind: "full"; max: number };

/**
 * Where watches live and fire (the port; adapters: in memory, and BullMQ job schedulers on Redis). When a watch is due
 * the scheduler hands it to the `onDue` callback it was built with (the server queues a scheduled recheck of the
 * issue); it stops firing after `untilMs` by itself.
 */
export interface WatchScheduler {
  readonly kind: "memory" | "redis";
  /**
   * Starts watching an issue, or keeps its watch: an existing watch keeps its end unless `restart` (a watch started
   * by hand begins a new period). Refused when the installation has `max` watches.
   */
  start(watch: Watch, options?: { restart?: boolean }): Promise<WatchStart>;
  /** Stops an issue's watch; false when it had none. */
  stop(key: string): Promise<boolean>;
  /** The issue's watch, if it has one. */
  get(key: string): Promise<Watch | undefined>;
  close(): Promise<void>;
}

/** The watch of one issue, bound for the event that handles it (a triage starts or stops it). */
export interface IssueWatch {
  start(timing: { everyMs: number; forMs: number }, options?: { restart?: boolean }): Promise<WatchStart>;
  stop(reason: string): Promise<boolean>;
  get(): Promise<Watch | undefined>;
}

/** The watch of one issue on `scheduler`, for the event that handles the issue. */
export function bindWatch(
  scheduler: WatchScheduler,
  ref: { installation: number; owner: string; repo: string; number: number },
  now: () => number = Date.now,
): IssueWatch {
  const key = watchKey(ref);
  return {
    start(timing, options) {
      return scheduler.start({ ...ref, everyMs: timing.everyMs, untilMs: now() + timing.forMs }, options);
    },
    stop: () => scheduler.stop(key),
    get: () => scheduler.get(key),
  };
}
