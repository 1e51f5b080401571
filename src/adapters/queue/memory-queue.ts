import { setTimeout as sleep } from "node:timers/promises";
import {
  installationKey,
  orderingKey,
  retryDelay,
  type EventQueue,
  type EventRunner,
  type QueuedEvent,
  type QueueSettings,
} from "./event-queue.js";

export interface QueueLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How many delivery ids the in-process queue remembers for de-duplication (GitHub redelivers up to 3 days back). */
const SEEN_LIMIT = 50_000;

/**
 * The single-instance queue: events wait in the process. One chain per ordering key (one issue) runs its events one
 * at a time in arrival order; at most `concurrency` chains run at once, taking turns (a busy issue goes to the back
 * after each event). A free slot goes to the waiting chain whose installation has the fewest chains running (the
 * earliest among equals): GitHub paces each installation's writes on its own, so a burst for one installation must
 * not take every slot while the others' pacing sits idle. A delivery id seen before is dropped. Nothing survives a
 * restart: that is what `REDIS_URL` is for.
 */
export function createMemoryQueue(settings: QueueSettings, runner: EventRunner, log: QueueLog): EventQueue {
  const seen = new Set<string>();
  const chains = new Map<string, QueuedEvent[]>();
  const ready: string[] = [];
  const running = new Set<string>();
  /** Chains running per installation. */
  const busy = new Map<string, number>();
  let closing = false;
  let idle: (() => void) | undefined;

  function remember(id: string): boolean {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
    return true;
  }

  function pump(): void {
    while (!closing && running.size < settings.concurrency && ready.length) {
      const [key] = ready.splice(
        fairestTurn(ready, (k) => busy.get(installationOf(k)) ?? 0),
        1,
      );
      running.add(key);
      const installation = installationOf(key);
      busy.set(installation, (busy.get(installation) ?? 0) + 1);
      void runHead(key);
    }
    if (running.size === 0) idle?.();
  }

  async function runHead(key: string): Promise<void> {
    const chain = chains.get(key)!;
    const event = chain[0];
    await runWithRetries(event);
    chain.shift();
    running.delete(key);
    const installation = installationKey(event);
    const left = (busy.get(installation) ?? 1) - 1;
    if (left) busy.set(installation, left);
    else busy.delete(installation);
    if (chain.length) ready.push(key);
    else chains.delete(key);
    pump();
  }

  /** The installation of the event at the head of a chain (the one that runs next). */
  function installationOf(key: string): string {
    return installationKey(chains.get(key)![0]);
  }

  async function runWithRetries(event: QueuedEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await runner.run(event, attempt);
        return;
      } catch (error) {
        const delay = attempt < settings.attempts && !closing ? retryDelay(error, attempt, settings) : undefined;
        if (delay === undefined) {
          await runner
            .giveUp(event, error, attempt)
            .catch((e) => log.error({ delivery: event.id, err: e }, "could not report a failed event"));
          return;
        }
        log.warn({ delivery: event.id, event: event.name, attempt, retryInMs: delay }, "event failed, will retry");
        await sleep(delay);
      }
    }
  }

  return {
    kind: "memory",
    async enqueue(event) {
      if (closing) return "closing";
      if (!remember(event.id)) return "duplicate";
      const key = orderingKey(event);
      const chain = chains.get(key);
      if (chain) chain.push(event);
      else {
        chains.set(key, [event]);
        ready.push(key);
      }
      pump();
      return "queued";
    },
    async health() {
      return { ok: true };
    },
    async depth() {
      let waiting = 0;
      for (const chain of chains.values()) waiting += chain.length;
      return waiting - running.size;
    },
    async close(graceMs) {
      closing = true;
      if (running.size) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), sleep(graceMs)]);
      }
      const unfinished = [...chains.values()].flat().map((e) => e.id);
      if (unfinished.length) {
        log.warn(
          { deliveries: unfinished },
          "shutting down with events not finished: redeliver them from the app's settings (Advanced) or add the " +
            "label again",
        );
      }
      return unfinished;
    },
  };
}

/**
 * Which waiting chain runs next: the index in `ready` (arrival order) of the first chain whose installation has the
 * fewest chains running, as `runningFor` counts them.
 */
export function fairestTurn(ready: readonly string[], runningFor: (key: string) => number): number {
  let best = 0;
  let fewest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ready.length && fewest > 0; i++) {
    const n = runningFor(ready[i]);
    if (n < fewest) [best, fewest] = [i, n];
  }
  return best;
}
