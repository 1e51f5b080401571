import type { protos } from "@google-cloud/run";
import type {
  ContainerSnapshot,
  EnvEntry,
  SecretMount,
  RevisionSnapshot,
  ServiceSnapshot,
  ServiceTarget,
  TrafficShare,
} from "./live-state.js";

type IService = protos.google.cloud.run.v2.IService;
type IRevision = protos.google.cloud.run.v2.IRevision;
type IRevisionTemplate = protos.google.cloud.run.v2.IRevisionTemplate;
type IContainer = protos.google.cloud.run.v2.IContainer;
type IVolume = protos.google.cloud.run.v2.IVolume;

/** The last segment of a resource name: `projects/p/locations/r/services/s/revisions/x` -> `x`. */
export function shortName(name: string | null | undefined): string {
  return (name ?? "").split("/").pop() ?? "";
}

/**
 * `projects/p/secrets/jwt` -> `{ secret: "jwt", project: "p" }`; a bare name -> `{ secret }` (the service's project).
 * The project (an id or a number) is kept: a reference to another project's secret must keep pointing there.
 */
export function parseSecretName(secret: string | null | undefined): { secret: string; project?: string } {
  const s = secret ?? "";
  const m = /^projects\/([^/]+)\/secrets\/([^/]+)/.exec(s);
  return m ? { secret: m[2], project: m[1] } : { secret: s };
}

/**
 * Reduces a container's env to names and sources. The literal `value` is read only to be discarded here: no
 * value of any variable leaves this function.
 */
function toContainers(
  containers: IContainer[] | null | undefined,
  volumes: IVolume[] | null | undefined,
): ContainerSnapshot[] {
  const list = containers ?? [];
  const servingIndex = Math.max(
    0,
    list.findIndex((c) => (c.ports ?? []).length > 0),
  );
  const volumeByName = new Map((volumes ?? []).map((v) => [v.name ?? "", v]));
  return list.map((container, i) => {
    const env: EnvEntry[] = (container.env ?? []).map((e) => {
      const ref = e.valueSource?.secretKeyRef;
      return ref
        ? {
            name: e.name ?? "",
            source: { kind: "secret", ...parseSecretName(ref.secret), version: ref.version || "latest" },
          }
        : { name: e.name ?? "", source: { kind: "literal" } };
    });
    const secretMounts: SecretMount[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const secret = volumeByName.get(mount.name ?? "")?.secret;
      if (!secret) continue;
      const named = parseSecretName(secret.secret);
      // Without `items`, Cloud Run mounts the latest version at a file named after the secret (k8s.min.proto).
      for (const item of secret.items?.length ? secret.items : [{ path: named.secret, version: "latest" }]) {
        const path = [mount.mountPath?.replace(/\/$/, ""), item.path].filter(Boolean).join("/");
        secretMounts.push({ ...named, version: item.version || "latest", path });
      }
    }
    return { name: container.name || `container-${i}`, serving: i === servingIndex, env, secretMounts };
  });
}

function toRevision(name: string, t: IRevisionTemplate | IRevision | null | undefined): RevisionSnapshot {
  return { name, containers: toContainers(t?.containers, t?.volumes), serviceAccount: t?.serviceAccount || undefined };
}

/** The project number in a service's deterministic URL, `https://SERVICE-PROJECT_NUMBER.REGION.run.app`. */
export function projectNumberFromUrls(service: string, urls: string[]): string | undefined {
  for (const url of urls) {
    const m = /^https:\/\/(.+)-(\d{6,})\.[a-z0-9-]+\.run\.app\/?$/.exec(url);
    if (m && m[1] === service) return m[2];
  }
  return undefined;
}

export function revisionToSnapshot(revision: IRevision): RevisionSnapshot {
  return toRevision(shortName(revision.name), revision);
}

/** Converts a Cloud Run v2 Service message to the diagnosis's snapshot (names and sources only). */
export function serviceToSnapshot(
  target: ServiceTarget,
  service: IService,
  revisions: IRevision[] = [],
): ServiceSnapshot {
  const latestReady = shortName(service.latestReadyRevision) || undefined;
  const traffic: TrafficShare[] = (service.trafficStatuses ?? [])
    .filter((t) => (t.percent ?? 0) > 0)
    .map((t) => {
      const latest = String(t.type ?? "").endsWith("LATEST");
      return { revision: latest ? (latestReady ?? "") : shortName(t.revision), percent: t.percent ?? 0, latest };
    });
  const cond = service.terminalCondition;
  return {
    ...target,
    uri: service.uri || undefined,
    projectNumber: projectNumberFromUrls(target.service, service.urls ?? []),
    template: toRevision(shortName(service.template?.revision) || "(template)", service.template),
    latestReadyRevision: latestReady,
    latestCreatedRevision: shortName(service.latestCreatedRevision) || undefined,
    traffic,
    terminalCondition: cond
      ? {
          state: String(cond.state ?? ""),
          reason: String(cond.reason ?? cond.revisionReason ?? cond.executionReason ?? "") || undefined,
          message: cond.message || undefined,
        }
      : undefined,
    reconciling: Boolean(service.reconciling),
    generation: service.generation != null ? String(service.generation) : undefined,
    observedGeneration: service.observedGeneration != null ? String(service.observedGeneration) : undefined,
    // Only this service's revisions: short names repeat across projects (`api-00001-abc` in staging and production).
    revisions: Object.fromEntries(
      revisions
        .filter((r) => !service.name || (r.name ?? "").startsWith(`${service.name}/revisions/`))
        .map((r) => [shortName(r.name), revisionToSnapshot(r)]),
    ),
  };
}
