import { watchKey, type Watch } from "../../domain/follow-up-plan/decide-watch.js";
import type { QueuedEvent } from "./event-queue.js";

/** The name of the queued event a due watch becomes (never a GitHub event name: Probot does not receive it). */
export const WATCH_EVENT = "config-triage.watch";

/**
 * A due watch as a queued event: it carries the issue's repository and number, so it waits its turn behind the
 * issue's webhooks (one issue runs one event at a time) and, on Redis, runs on one instance.
 */
export function watchEvent(watch: Watch, now: number): QueuedEvent {
  const { owner, repo, number, installation } = watch;
  return {
    // BullMQ job ids may not contain ":".
    id: `watch-${watchKey(watch).replace(/:/g, "-")}-${now}`,
    name: WATCH_EVENT,
    payload: {
      watch,
      installation: { id: installation },
      repository: { full_name: `${owner}/${repo}`, name: repo, owner: { login: owner } },
      issue: { number },
    },
  };
}
