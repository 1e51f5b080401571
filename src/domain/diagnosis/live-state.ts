/**
 * The live state of Cloud Run, as the diagnosis sees it. Values of environment variables are dropped where the data
 * enters the process (see `to-snapshot.ts`): nothing downstream can print what it never held.
 */

/** Where a variable's value comes from. A literal's value is deliberately not kept. */
export type ValueSource =
  | { kind: "literal" }
  | { kind: "secret"; secret: string; version: string; project?: string }
  /** A Secret Manager secret mounted as a file, which satisfies a check naming that secret. */
  | { kind: "file"; secret: string; version: string; path: string; project?: string };

/**
 * A Secret Manager secret mounted as a file. `path` is the file: `mountPath/item.path`, or, for a volume without
 * `items`, `mountPath/SECRET_NAME` (Cloud Run mounts the latest version at a file named after the secret).
 */
export interface SecretMount {
  secret: string;
  version: string;
  path: string;
  /** The project the reference names (`projects/P/secrets/S`), when it names one; else the service's project. */
  project?: string;
}

export interface EnvEntry {
  name: string;
  source: ValueSource;
}

export interface ContainerSnapshot {
  name: string;
  /** The ingress container (the one with a port, or the only one); the others are sidecars. */
  serving: boolean;
  env: EnvEntry[];
  secretMounts: SecretMount[];
}

export interface RevisionSnapshot {
  /** Short name, e.g. `api-00042-xyz`. */
  name: string;
  containers: ContainerSnapshot[];
  /** The runtime service account (`serviceAccount`), when the API gave one. */
  serviceAccount?: string;
}

export interface TrafficShare {
  /** Short revision name; for a LATEST entry, the latest ready revision. */
  revision: string;
  percent: number;
  latest: boolean;
}

export interface Condition {
  state: string;
  reason?: string;
  message?: string;
}

/** One Cloud Run service as it is configured and serving. */
export interface ServiceSnapshot {
  environment: string;
  project: string;
  region: string;
  service: string;
  uri?: string;
  /** The project number, when the service's data shows it (its deterministic URL `https://S-NUMBER.REGION.run.app`). */
  projectNumber?: string;
  /** The desired configuration (the service's template). */
  template: RevisionSnapshot;
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  traffic: TrafficShare[];
  terminalCondition?: Condition;
  reconciling: boolean;
  generation?: string;
  observedGeneration?: string;
  /** The revisions that serve traffic, by short name, when they were read. */
  revisions: Record<string, RevisionSnapshot>;
  /** Serving revisions that could not be read (e.g. no `run.revisions.get`), by short name. */
  revisionErrors?: Record<string, CannotRead>;
}

/** Why something could not be read from Cloud Run. */
export interface CannotRead {
  reason: CannotCheckReason;
  detail: string;
  /** The IAM permission that was refused, for `permission-denied`. */
  permission?: string;
  /** Who gave `detail` (default Cloud Run): `credentials` when the app found no usable Google credentials. */
  source?: "cloud-run" | "credentials";
  /** For `unauthenticated` found before any call: whether GOOGLE_APPLICATION_CREDENTIALS named the failing file. */
  credentialsFile?: boolean;
  /** For `api-disabled`: the API Google says is disabled (run.googleapis.com). */
  service?: string;
}

/** The answer of a service's health URL, requested after the configuration check. */
export interface HealthResult {
  url: string;
  /** HTTP status, or undefined when no answer came (then `error` says why). */
  status?: number;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Where a service's data came from, when it was not read live. */
export interface SnapshotOrigin {
  /** The snapshot file, e.g. `ops/cloud-run/staging.yaml`. */
  file: string;
  /** When the snapshot was taken (its last commit, or file time), ISO 8601; undefined when unknown. */
  takenAt?: string;
}

/** Why a service could not be checked. Never counted as passing or missing. */
/** `snapshot`: the configured snapshot file is missing, invalid, or lacks the service or a serving revision. */
/** `api-disabled`: a PERMISSION_DENIED whose ErrorInfo says SERVICE_DISABLED (the Cloud Run Admin API is off there). */
export type CannotCheckReason =
  | "not-found"
  | "permission-denied"
  | "api-disabled"
  | "unauthenticated"
  | "unreachable"
  | "error"
  | "snapshot";

export interface ServiceTarget {
  environment: string;
  project: string;
  region: string;
  service: string;
}

export type ServiceState =
  | { kind: "ok"; target: ServiceTarget; snapshot: ServiceSnapshot; health?: HealthResult; origin?: SnapshotOrigin }
  | (CannotRead & {
      kind: "cannot-check";
      target: ServiceTarget;
      /** For `not-found`: the region's services with the closest names. */
      suggestions?: string[];
      origin?: SnapshotOrigin;
    });

/** Everything the live check gathered, with where it came from and when. */
export interface LiveState {
  source: "live" | "snapshot";
  fetchedAt: string;
  services: ServiceState[];
  /** What Secret Manager said about the secrets the diagnosis references or proposes (absent: not verified). */
  secrets?: SecretFacts[];
  /** Project id -> number, learned from Resource Manager when a default compute account had to be named. */
  projectNumbers?: Record<string, string>;
  /** Services with `health:` that were not probed because they were read from a snapshot (never probed: SSRF). */
  unprobed?: ServiceTarget[];
}

/** A Secret Manager secret version the diagnosis relies on, and who must read it. */
export interface SecretUse {
  /** The project that holds the secret (the reference's own, else the service's). */
  project: string;
  secret: string;
  version: string;
  /** The runtime service account that will read it, when known. */
  serviceAccount?: string;
  /** The project whose default compute account runs the service when `serviceAccount` is unknown. */
  serviceProject: string;
  /** From the service's data, when known. */
  serviceProjectNumber?: string;
}

/** Something Secret Manager or Resource Manager would not tell (never read as "missing"). */
export interface Unverified {
  unverified: CannotRead;
}

/** Metadata Secret Manager gave about one secret (never a value: `AccessSecretVersion` is never called). */
export interface SecretFacts {
  project: string;
  secret: string;
  exists: boolean | Unverified;
  /** Version (`latest` or a number) -> its state (`ENABLED`, `DISABLED`, `DESTROYED`, or `NOT_FOUND`). */
  versions: Record<string, { state: string; resolved?: string } | Unverified>;
  /** Members holding a role that grants `secretmanager.versions.access` on the secret itself. */
  accessors?: string[] | Unverified;
  /** The same on the secret's project, when the app may read the project's IAM policy. */
  projectAccessors?: string[] | Unverified;
}

export interface SecretFetchOptions {
  /** How many calls may be in flight at once (default 8). */
  concurrency?: number;
  /** Per-call deadline in milliseconds (default 15 s). */
  timeoutMs?: number;
  /**
   * Whether this installation may read a project's Secret Manager metadata. The hook for an operator's list of
   * allowed projects: a refused project is "could not verify", and no call is made to it.
   */
  allowProject?: (project: string) => boolean;
}

export interface SecretVerification {
  facts: SecretFacts[];
  /** Project id -> number, for the uses whose runtime account is the default compute account. */
  projectNumbers: Record<string, string>;
}
