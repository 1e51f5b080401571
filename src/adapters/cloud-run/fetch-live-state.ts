import { mapBounded } from "../../domain/map-bounded.js";
import { distance } from "fastest-levenshtein";
import type { protos } from "@google-cloud/run";
import { GoogleCredentialsError, type CloudRunClients } from "./create-clients.js";
import { revisionToSnapshot, serviceToSnapshot, shortName } from "../../domain/diagnosis/to-snapshot.js";
import type {
  CannotCheckReason,
  CannotRead,
  LiveState,
  ServiceSnapshot,
  ServiceState,
  ServiceTarget,
} from "../../domain/diagnosis/live-state.js";

type IService = protos.google.cloud.run.v2.IService;

export interface FetchOptions {
  /** How many Cloud Run calls may be in flight at once. */
  concurrency?: number;
  /** Per-call deadline in milliseconds; a slower answer is reported as "could not reach Cloud Run". */
  timeoutMs?: number;
  now?: () => Date;
  /** Called after each service is read (or failed), e.g. for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reads the live configuration of each target service from Cloud Run. One failure never hides the others.
 *
 * Economy: one `ListServices` per project and region serves every service there (instead of one `GetService` each),
 * and a revision is read (`GetRevision`) only when it serves traffic and may differ from the template; the calls run
 * concurrently, at most `concurrency` at a time. When listing is refused (no `run.services.list`) it falls back to
 * `GetService` per service, so an account with only `run.services.get` still gets a diagnosis.
 */
export async function fetchLiveState(
  clients: CloudRunClients,
  targets: ServiceTarget[],
  options: FetchOptions = {},
): Promise<LiveState> {
  const { concurrency = 8, timeoutMs = 15_000, now = () => new Date(), onProgress } = options;
  let done = 0;
  const call = { timeout: timeoutMs, retry: null };
  const noCredentials = await findCredentials(clients, timeoutMs);
  if (noCredentials) {
    const services = targets.map((target): ServiceState => ({ kind: "cannot-check", target, ...noCredentials }));
    return { source: "live", fetchedAt: now().toISOString(), services };
  }
  const groups = new Map<string, ServiceTarget[]>();
  for (const t of targets) {
    const key = `projects/${t.project}/locations/${t.region}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const listed = await mapBounded([...groups.entries()], concurrency, async ([parent, group]) => {
    try {
      const [services] = await clients.services.listServices({ parent }, call);
      const byName = new Map(services.map((s) => [shortName(s.name), s]));
      return group.map((target) => ({ target, service: byName.get(target.service), names: [...byName.keys()] }));
    } catch (error) {
      const cannot = classifyCloudRunError(error, "run.services.list");
      // Only a refused permission is worth asking again service by service (a disabled API is refused for every call).
      if (cannot.reason !== "permission-denied") return group.map((target) => ({ target, cannot }));
      // Listing refused: one GetService per service, which needs only run.services.get.
      return mapBounded(group, concurrency, async (target) => {
        try {
          const [service] = await clients.services.getService({ name: `${parent}/services/${target.service}` }, call);
          return { target, service };
        } catch (e) {
          return { target, cannot: classifyCloudRunError(e, "run.services.get") };
        }
      });
    }
  });

  const found = listed.flat();
  const services = await mapBounded(found, concurrency, async (entry): Promise<ServiceState> => {
    try {
      return await readOne(entry);
    } finally {
      onProgress?.(++done, found.length);
    }
  });
  return { source: "live", fetchedAt: now().toISOString(), services };

  async function readOne(entry: (typeof found)[number]): Promise<ServiceState> {
    const { target } = entry;
    if ("cannot" in entry && entry.cannot) return { kind: "cannot-check", target, ...entry.cannot };
    const service = (entry as { service?: IService }).service;
    if (!service) {
      const names = (entry as { names?: string[] }).names ?? [];
      return {
        kind: "cannot-check",
        target,
        reason: "not-found",
        detail:
          `Resource '${target.service}' of kind 'SERVICE' in region '${target.region}' in project ` +
          `'${target.project}' does not exist.`,
        suggestions: suggestNames(target.service, names),
      };
    }
    const snapshot = serviceToSnapshot(target, service);
    await readServingRevisions(clients, snapshot, service, { call, concurrency });
    return { kind: "ok", target, snapshot };
  }
}

/**
 * The revisions the diagnosis needs that may not match the template: each one that serves traffic, the latest ready
 * one (even at 0%: whether it has a variable decides between moving traffic and deploying again) and the latest
 * created one. The latest created revision, on a service whose rollout is done (`observedGeneration == generation`,
 * not reconciling), was created from the current template: it is not read again.
 */
export function revisionsToRead(snapshot: ServiceSnapshot): string[] {
  const settled = !snapshot.reconciling && snapshot.generation === snapshot.observedGeneration;
  const fromTemplate = settled ? snapshot.latestCreatedRevision : undefined;
  const wanted = [
    ...snapshot.traffic.map((t) => t.revision),
    snapshot.latestReadyRevision,
    snapshot.latestCreatedRevision,
  ];
  return [...new Set(wanted)].filter((r): r is string => Boolean(r) && r !== fromTemplate);
}

async function readServingRevisions(
  clients: CloudRunClients,
  snapshot: ServiceSnapshot,
  service: IService,
  o: { call: { timeout: number; retry: null }; concurrency: number },
): Promise<void> {
  const toRead = revisionsToRead(snapshot);
  const settledRevision = snapshot.latestCreatedRevision;
  if (settledRevision && !toRead.includes(settledRevision)) {
    snapshot.revisions[settledRevision] = { ...snapshot.template, name: settledRevision };
  }
  await mapBounded(toRead, o.concurrency, async (revision) => {
    try {
      const [message] = await clients.revisions.getRevision({ name: `${service.name}/revisions/${revision}` }, o.call);
      snapshot.revisions[revision] = revisionToSnapshot(message);
    } catch (error) {
      // A revision that serves no traffic only informs the fix: not being able to read it is no "could not check".
      if (!snapshot.traffic.some((t) => t.revision === revision)) return;
      snapshot.revisionErrors = {
        ...snapshot.revisionErrors,
        [revision]: classifyCloudRunError(error, "run.revisions.get"),
      };
    }
  });
}

/** The names closest to `name` (edit distance at most a third of its length, or sharing its stem), best first. */
export function suggestNames(name: string, candidates: string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(name.length / 3));
  return candidates
    .filter((c) => c !== name)
    .map((c) => ({ c, d: distance(name, c) }))
    .filter(({ c, d }) => d <= limit || c.startsWith(name) || name.startsWith(c))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .map((s) => s.c)
    .slice(0, max);
}

/**
 * Whether the clients have Google credentials: undefined when they do (or need none), else why not, as the reason
 * every target could not be checked. The rest of the process environment is not consulted except to say whether
 * GOOGLE_APPLICATION_CREDENTIALS named the failing file; the file's path is left out (it is the host's business).
 */
async function findCredentials(clients: CloudRunClients, timeoutMs: number): Promise<CannotRead | undefined> {
  if (!clients.checkCredentials) return undefined;
  try {
    await clients.checkCredentials(timeoutMs);
    return undefined;
  } catch (error) {
    if (!(error instanceof GoogleCredentialsError)) throw error;
    return { reason: "unauthenticated", source: "credentials", detail: error.message, credentialsFile: error.fromFile };
  }
}

/**
 * Maps a gRPC error from the Cloud Run client to a reason a person can act on. google-gax decodes the
 * `google.rpc.ErrorInfo` of the status details into `reason` and `errorInfoMetadata`: a PERMISSION_DENIED with
 * reason SERVICE_DISABLED means the API is off in the project, which no IAM grant fixes.
 */
export function classifyCloudRunError(error: unknown, permission: string): CannotRead {
  const e = error as {
    code?: number;
    details?: string;
    message?: string;
    /** google-gax: the ErrorInfo of the status details. */
    reason?: string;
    errorInfoMetadata?: Record<string, string>;
  };
  const detail = (e.details || e.message || String(error)).split("\n")[0];
  if (e.code === 7 && e.reason === "SERVICE_DISABLED") {
    return { reason: "api-disabled", detail, service: e.errorInfoMetadata?.service || "run.googleapis.com" };
  }
  // A call whose credentials could not make a token (a revoked key, an unreachable token endpoint) fails in grpc-js's
  // credentials plugin, with UNAVAILABLE: it is a credentials problem, not an unreachable Cloud Run.
  const plugin = /Getting metadata from plugin failed/i.test(detail);
  const reason: CannotCheckReason =
    e.code === 5
      ? "not-found"
      : e.code === 7
        ? "permission-denied"
        : e.code === 16 || plugin
          ? "unauthenticated"
          : e.code === 4 || e.code === 14
            ? "unreachable"
            : "error";
  return reason === "permission-denied" ? { reason, detail, permission } : { reason, detail };
}
