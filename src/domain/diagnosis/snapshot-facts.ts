import type {
  ContainerSnapshot,
  EnvEntry,
  RevisionSnapshot,
  ServiceSnapshot,
  SecretUse,
  ServiceTarget,
} from "./live-state.js";
import type * as gcloud from "./gcloud-commands.js";

/** Facts the checks read off a service snapshot, and where its fixes go. Pure. */

/** `JWT_SECRET_STAGING` -> `jwt-secret-staging`, the default Secret Manager name in fix commands. */
export function defaultSecretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}

/** Where a change goes: the container is named only for a service with several containers (gcloud's rule). */
export function commandTarget(
  t: ServiceTarget,
  s: ServiceSnapshot | undefined,
  container?: string,
): gcloud.CommandTarget {
  return {
    project: t.project,
    region: t.region,
    service: t.service,
    container: s && s.template.containers.length > 1 ? container : undefined,
  };
}

/** The runtime service account the next revision runs as: the template's, else the latest ready revision's. */
function serviceAccountOf(s: ServiceSnapshot): string | undefined {
  const latest = s.latestReadyRevision ? s.revisions[s.latestReadyRevision] : undefined;
  return (
    s.template.serviceAccount ??
    latest?.serviceAccount ??
    (s.projectNumber ? defaultComputeAccount(s.projectNumber) : undefined)
  );
}

/** The account Cloud Run uses when a service names none. */
export function defaultComputeAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}

/**
 * A reference as a pointer; a project that is the service's own (by id or number) is dropped, so commands stay short.
 */
export function pointerOf(
  s: ServiceSnapshot,
  ref: { secret: string; version: string; project?: string },
): gcloud.SecretPointer {
  const own = !ref.project || ref.project === s.project || ref.project === s.projectNumber;
  return { secret: ref.secret, version: ref.version, project: own ? undefined : ref.project };
}

/** The Secret Manager version a service reads (or a fix would have it read), with who reads it. */
export function secretUse(s: ServiceSnapshot, pointer: gcloud.SecretPointer): SecretUse {
  return {
    project: pointer.project ?? s.project,
    secret: pointer.secret,
    version: pointer.version,
    serviceAccount: serviceAccountOf(s),
    serviceProject: s.project,
    serviceProjectNumber: s.projectNumber,
  };
}

/** The container of a revision that serves requests. */
export function servingContainer(revision: RevisionSnapshot): ContainerSnapshot | undefined {
  return revision.containers.find((c) => c.serving);
}

/** `staging / api`: a target as the problems name it. */
export function where(t: ServiceTarget): string {
  return `${t.environment} / ${t.service}`;
}

/** A traffic share as the problems say it. */
export function pct(n: number): string {
  return `${n}%`;
}

/** Every env entry of a service's template, across its containers. */
export function templateEnv(s: ServiceSnapshot): EnvEntry[] {
  return s.template.containers.flatMap((c) => c.env);
}

/** Whether two targets are the same service in the same environment. */
export function sameTarget(a: ServiceTarget, b: ServiceTarget): boolean {
  return a.environment === b.environment && a.project === b.project && a.region === b.region && a.service === b.service;
}
