import { rootError } from "../../use-cases/asked-for-triage.js";
/** A verified webhook delivery, as the queue holds it until a worker runs it through Probot. */
export interface QueuedEvent {
  /** `X-GitHub-Delivery`: the same on a redelivery, so it is the de-duplication key. */
  id: string;
  /** `X-GitHub-Event`, e.g. `issues`. */
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: the webhook payload as GitHub sent it; Probot types it per event
  payload: any;
}

/**
 * `unavailable`: the queue's store (Redis) did not take the delivery within the enqueue deadline; nothing was queued,
 * so the webhook answers 503 and the delivery can be redelivered.
 */
export type EnqueueResult = "queued" | "duplicate" | "closing" | "unavailable";

/** Whether the queue can take work now; `error` says why not (shown by `/healthz`). */
export interface QueueHealth {
  ok: boolean;
  error?: string;
}

/**
 * Where verified webhooks wait for a worker. Events with the same `orderingKey` (one issue) run one at a time in
 * arrival order; different keys run concurrently up to the queue's bound. Implementations: in the process
 * (`createMemoryQueue`) and on Redis with BullMQ (`createRedisQueue`).
 */
export interface EventQueue {
  readonly kind: "memory" | "redis";
  enqueue(event: QueuedEvent): Promise<EnqueueResult>;
  /** Whether deliveries can be queued now (Redis connected and answering; always true in memory). */
  health(): Promise<QueueHealth>;
  /** Deliveries accepted and not yet started (on Redis: waiting or delayed across all instances). */
  depth(): Promise<number>;
  /**
   * Stops taking work and waits up to `graceMs` for the events being run. Returns the delivery ids it could not
   * finish: on Redis they go back to the queue for another instance; in memory they are lost and logged.
   */
  close(graceMs: number): Promise<string[]>;
}

/** Runs one event (through Probot) and reports one that failed for good. */
export interface EventRunner {
  run(event: QueuedEvent, attempt: number): Promise<void>;
  /** Called once when an event will not be tried again, with the last error and whether it was a retryable one. */
  giveUp(event: QueuedEvent, error: unknown, attempts: number): Promise<void>;
}

/** Queue tuning, from the environment (see docs/operations.md, "Running at scale"). */
export interface QueueSettings {
  /** Events run at once by this instance (different issues). */
  concurrency: number;
  /** Tries per event, first one included. */
  attempts: number;
  /** First retry delay; doubles each time, unless GitHub sent `retry-after`. */
  backoffMs: number;
  /** Longest wait between tries. */
  maxBackoffMs: number;
  /** How long a delivery may wait to be stored (Redis) before the webhook answers 503 (default 3 s). */
  enqueueTimeoutMs?: number;
}

export function queueSettings(env: NodeJS.ProcessEnv): QueueSettings {
  const int = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw} is not valid: use a whole number >= ${min}`);
    return n;
  };
  return {
    concurrency: int("QUEUE_CONCURRENCY", 8, 1),
    attempts: int("QUEUE_ATTEMPTS", 4, 1),
    backoffMs: int("QUEUE_BACKOFF_MS", 2_000, 0),
    maxBackoffMs: int("QUEUE_MAX_BACKOFF_MS", 60_000, 0),
    enqueueTimeoutMs: int("QUEUE_ENQUEUE_TIMEOUT_MS", 3_000, 100),
  };
}

/** The ordering key: one issue (or pull request), else the repository, else the delivery itself. */
export function orderingKey(event: QueuedEvent): string {
  const repo = event.payload?.repository?.full_name as string | undefined;
  const number = (event.payload?.issue?.number ?? event.payload?.pull_request?.number) as number | undefined;
  if (repo && number !== undefined) return `${repo.toLowerCase()}#${number}`;
  if (repo) return repo.toLowerCase();
  return `delivery:${event.id}`;
}

/**
 * The installation an event runs as (GitHub paces each installation's requests on its own), or "" for an event that
 * names none.
 */
export function installationKey(event: QueuedEvent): string {
  const id = event.payload?.installation?.id as number | string | undefined;
  return id === undefined || id === null ? "" : String(id);
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);

/**
 * Whether a failed run may be tried again, and after how long. A whole run is safe to repeat: it reads what it wrote
 * before and only writes what is missing. Retried: GitHub 5xx, 408, 429, secondary rate limits (403 with
 * `retry-after` or that message), timeouts and dropped connections. Not retried: everything else (a 404, a 422, a bug).
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  settings: Pick<QueueSettings, "backoffMs" | "maxBackoffMs">,
): number | undefined {
  const e = rootError(error) as {
    status?: number;
    code?: string | number;
    name?: string;
    message?: string;
    cause?: { code?: string };
    response?: { headers?: Record<string, string | undefined> };
  };
  const status = e?.status;
  const retryAfter = Number(e?.response?.headers?.["retry-after"]);
  const secondary = /secondary rate limit/i.test(e?.message ?? "");
  const transient =
    (typeof status === "number" &&
      (status >= 500 ||
        status === 408 ||
        status === 429 ||
        (status === 403 && (secondary || Number.isFinite(retryAfter))))) ||
    (status === undefined &&
      (TRANSIENT_CODES.has(String(e?.code)) ||
        TRANSIENT_CODES.has(String(e?.cause?.code)) ||
        e?.name === "AbortError" ||
        e?.name === "TimeoutError" ||
        /fetch failed|timeout|socket hang up/i.test(e?.message ?? "")));
  if (!transient) return undefined;
  const backoff =
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : settings.backoffMs * 2 ** (attempt - 1);
  return Math.min(backoff, settings.maxBackoffMs);
}

/** One short line saying why a run failed, without payloads or values. */
export function describeFailure(error: unknown): string {
  const e = rootError(error) as {
    status?: number;
    message?: string;
    request?: { method?: string; url?: string };
    response?: unknown;
  };
  const message = String(e?.message ?? e)
    .split("\n")[0]
    .slice(0, 300);
  if (typeof e?.status === "number" && e.request?.method) {
    const path = (e.request.url ?? "").replace(/^https?:\/\/[^/]+(\/api\/v3|\/api(?=\/graphql))?/, "").split("?")[0];
    // No response: the request timed out or the connection dropped (Octokit still gives it status 500).
    if (!e.response) return `no answer from GitHub to ${e.request.method} ${path}: ${message}`;
    return `GitHub answered ${e.status} to ${e.request.method} ${path}: ${message}`;
  }
  return message;
}
