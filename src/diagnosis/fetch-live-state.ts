import type { CloudRunClients } from "../cloud-run/create-clients.js";
import { serviceToSnapshot } from "./to-snapshot.js";
import type { CannotCheckReason, LiveState, ServiceState, ServiceTarget } from "./types.js";

export interface FetchOptions {
  /** How many Cloud Run calls may be in flight at once. */
  concurrency?: number;
  /** Per-call deadline in milliseconds; a slower answer is reported as "could not reach Cloud Run". */
  timeoutMs?: number;
  now?: () => Date;
  /** Called after each service is read (or failed), e.g. for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

/** Reads the live configuration of each target service from Cloud Run. One failure never hides the others. */
export async function fetchLiveState(clients: CloudRunClients, targets: ServiceTarget[], options: FetchOptions = {}): Promise<LiveState> {
  const { concurrency = 8, timeoutMs = 15_000, now = () => new Date(), onProgress } = options;
  let done = 0;
  const services = await mapBounded(targets, concurrency, async (target): Promise<ServiceState> => {
    const name = `projects/${target.project}/locations/${target.region}/services/${target.service}`;
    try {
      const [service] = await clients.services.getService({ name }, { timeout: timeoutMs, retry: null });
      return { kind: "ok", target, snapshot: serviceToSnapshot(target, service) };
    } catch (error) {
      return { kind: "cannot-check", target, ...classifyCloudRunError(error, "run.services.get") };
    } finally {
      onProgress?.(++done, targets.length);
    }
  });
  return { source: "live", fetchedAt: now().toISOString(), services };
}

/** Maps a gRPC error from the Cloud Run client to a reason a person can act on. */
export function classifyCloudRunError(
  error: unknown,
  permission: string,
): { reason: CannotCheckReason; detail: string; permission?: string } {
  const e = error as { code?: number; details?: string; message?: string };
  const detail = (e.details || e.message || String(error)).split("\n")[0];
  switch (e.code) {
    case 5:
      return { reason: "not-found", detail };
    case 7:
      return { reason: "permission-denied", detail, permission };
    case 16:
      return { reason: "unauthenticated", detail };
    case 4:
    case 14:
      return { reason: "unreachable", detail };
    default:
      return { reason: "error", detail };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the input order in the result. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}
