/**
 * Builders for realistic Cloud Run Admin API v2 messages, in the proto JSON shape (camelCase fields, enums as their
 * string names, int64 as strings) that the Cloud Run emulator serves and `@google-cloud/run` decodes.
 *
 * Modelled on google/cloud/run/v2/{service,revision,revision_template,k8s.min,condition,traffic_target}.proto and on
 * what real services deployed with gcloud / the console look like. Everything is deterministic (ids, times, URLs are
 * derived from the names), so snapshots stay stable.
 */
import { createHash } from "node:crypto";
import type { protos } from "@google-cloud/run";
import type { RevisionMessage, ServiceMessage } from "./cloud-run-emulator.js";

export type { RevisionMessage, ServiceMessage } from "./cloud-run-emulator.js";

type V2 = typeof protos.google.cloud.run.v2;
type IContainer = protos.google.cloud.run.v2.IContainer;
type IVolume = protos.google.cloud.run.v2.IVolume;
type IEnvVar = protos.google.cloud.run.v2.IEnvVar;
type ICondition = protos.google.cloud.run.v2.ICondition;
type ITrafficTarget = protos.google.cloud.run.v2.ITrafficTarget;
type ITimestamp = protos.google.protobuf.ITimestamp;

/** Condition.CommonReason names, e.g. "SECRETS_ACCESS_CHECK_FAILED". */
export type CommonReason = keyof V2["Condition"]["CommonReason"];

/** Env vars by name: a string is a literal value; `{ secret, version }` is a Secret Manager reference. */
export interface EnvSpec {
  [name: string]: string | { secret: string; version?: string };
}

export interface VolumeSecretSpec {
  /** The directory the secret volume is mounted at (VolumeMount.mountPath), e.g. "/etc/secrets". */
  mountPath: string;
  /** "X" (same project) or "projects/P/secrets/X". */
  secret: string;
  /** Secret version; default "latest". */
  version?: string;
  /** File name inside mountPath (VersionToPath.path); default: the secret's short name. */
  path?: string;
  /** Mount without `items`, as `--update-secrets=/dir/file=S:latest` does not but the console can: Cloud Run then
   * exposes the latest version at `mountPath/SECRET_NAME`. */
  noItems?: boolean;
}

export interface ContainerSpec {
  /** Default "placeholder-1" for the first container (what Cloud Run names it), "container-N" for sidecars. */
  name?: string;
  /** Default `${region}-docker.pkg.dev/${project}/cloud-run-source-deploy/${service}:latest` for the first. */
  image?: string;
  env?: EnvSpec;
  volumeSecrets?: VolumeSecretSpec[];
}

export interface TrafficSpec {
  /** Revision short name (e.g. "api-00003-xyz"). Omitted or `latest: true` = the latest ready revision. */
  revision?: string;
  percent: number;
  latest?: boolean;
  tag?: string;
}

export interface FailedRevisionSpec {
  /** Short name of the revision that failed, e.g. "api-00002-def". It becomes `latestCreatedRevision`. */
  name: string;
  /** The Condition.CommonReason, e.g. "SECRETS_ACCESS_CHECK_FAILED". */
  reason: CommonReason;
  /** The revision's own error, e.g. from `secretNotFoundMessage()` or `secretPermissionDeniedMessage()`. */
  message: string;
}

export interface BuildServiceOptions {
  project: string;
  region: string;
  /** The service id (last segment of the name). */
  name: string;
  /** Env of the single (ingress) container; ignored when `containers` is given. */
  env?: EnvSpec;
  /** The containers of the template (desired state); the first one is the ingress container. */
  containers?: ContainerSpec[];
  /** The latest READY revision's short name; default `${name}-00001-abc`. */
  revision?: string;
  uri?: string;
  /** Default: the generation encoded in the latest created revision's name (…-0000N-…), at least 1. */
  generation?: number;
  /** Desired traffic (`traffic`) and, mirrored, actual traffic (`trafficStatuses`); default 100% to LATEST. */
  traffic?: TrafficSpec[];
  /** A rollout that failed: the revision was created from `template` but never became ready. */
  failedRevision?: FailedRevisionSpec;
  /**
   * Default: the project's default compute service account, `${projectNumber}-compute@developer.gserviceaccount.com`.
   */
  serviceAccount?: string;
  /** Default: a stable 12-digit number derived from the project id (see `projectNumberFor`). */
  projectNumber?: string;
  labels?: Record<string, string>;
  reconciling?: boolean;
  /**
   * Containers of particular older revisions (by short name), when they differ from the template: e.g. the ready
   * revision that still serves while the new template (with a bad secret) failed. Default: the template's.
   */
  revisionContainers?: Record<string, ContainerSpec[]>;
}

const BASE_EPOCH_SECONDS = 1_735_689_600; // 2025-01-01T00:00:00Z

/** A stable fake project number (12 digits) for a project id. */
export function projectNumberFor(project: string): string {
  const n = BigInt(`0x${hex(`project-number:${project}`).slice(0, 15)}`) % 900_000_000_000n;
  return String(100_000_000_000n + n);
}

/** Full revision resource name from its parts. */
export function revisionName(project: string, region: string, service: string, revision: string): string {
  return `projects/${project}/locations/${region}/services/${service}/revisions/${revision}`;
}

export function serviceName(project: string, region: string, service: string): string {
  return `projects/${project}/locations/${region}/services/${service}`;
}

/**
 * The revision error Cloud Run reports when a referenced secret (version) does not exist, e.g.
 * "spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Secret
 * projects/123/secrets/db/versions/latest was not found".
 */
export function secretNotFoundMessage(o: {
  projectNumber: string;
  secret: string;
  version?: string;
  /** Default "spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name". */
  field?: string;
}): string {
  return (
    `${o.field ?? defaultSecretField()}: Secret ${secretVersionPath(o.projectNumber, o.secret, o.version)} ` +
    `was not found`
  );
}

/** The revision error Cloud Run reports when the revision's service account cannot access a secret. */
export function secretPermissionDeniedMessage(o: {
  projectNumber: string;
  secret: string;
  version?: string;
  serviceAccount: string;
  field?: string;
}): string {
  return (
    `${o.field ?? defaultSecretField()}: Permission denied on secret: ` +
    `${secretVersionPath(o.projectNumber, o.secret, o.version)} for Revision service account ${o.serviceAccount}. ` +
    `The service account used must be granted the 'Secret Manager Secret Accessor' role ` +
    `(roles/secretmanager.secretAccessor) at the secret, project or higher level.`
  );
}

/**
 * Builds a Service as `GetService` returns it, plus one Revision message per revision it mentions (the latest ready
 * revision, every revision in `traffic`, and the failed one).
 */
export function buildService(o: BuildServiceOptions): { service: ServiceMessage; revisions: RevisionMessage[] } {
  const { project, region, name } = o;
  const svcName = serviceName(project, region, name);
  const projectNumber = o.projectNumber ?? projectNumberFor(project);
  const serviceAccount = o.serviceAccount ?? `${projectNumber}-compute@developer.gserviceaccount.com`;
  const readyRevision = o.revision ?? `${name}-00001-abc`;
  const failed = o.failedRevision;
  const latestCreated = failed?.name ?? readyRevision;
  const generation = o.generation ?? Math.max(revisionIndex(latestCreated) ?? 1, 1);
  const uri = o.uri ?? `https://${name}-${hex(`uri:${svcName}`, 36).slice(0, 10)}-${regionCode(region)}.a.run.app`;
  const traffic = o.traffic ?? [{ latest: true, percent: 100 }];

  const templateSpecs = o.containers ?? [{ env: o.env }];
  const template = renderContainers(templateSpecs, { project, region, name });

  const createTime = timestamp(BASE_EPOCH_SECONDS + (parseInt(hex(svcName).slice(0, 6), 16) % 86_400));
  const updateTime = timestamp(Number(createTime.seconds) + generation * 3_600);
  const transitionTime = timestamp(Number(updateTime.seconds) + 20);

  const trafficTargets: ITrafficTarget[] = traffic.map((t) => {
    const latest = t.latest === true || !t.revision;
    return {
      type: latest ? "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" : "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
      ...(latest ? {} : { revision: t.revision }),
      percent: t.percent,
      ...(t.tag ? { tag: t.tag } : {}),
    };
  });
  const trafficStatuses = trafficTargets.map((t) => ({
    ...t,
    ...(t.tag ? { uri: uri.replace("https://", `https://${t.tag}---`) } : {}),
  }));

  const conditions: ICondition[] = failed
    ? [
        { type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: createTime },
        {
          type: "ConfigurationsReady",
          state: "CONDITION_FAILED",
          message: notReadyMessage(failed),
          lastTransitionTime: transitionTime,
          severity: "ERROR",
          reason: failed.reason,
        },
      ]
    : [
        { type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: transitionTime },
        { type: "ConfigurationsReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: transitionTime },
      ];
  const terminalCondition: ICondition = failed
    ? {
        type: "Ready",
        state: "CONDITION_FAILED",
        message: notReadyMessage(failed),
        lastTransitionTime: transitionTime,
        severity: "ERROR",
        reason: failed.reason,
      }
    : { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: transitionTime };

  const service: ServiceMessage = {
    name: svcName,
    uid: uuid(`service:${svcName}`),
    generation: String(generation),
    labels: o.labels ?? {},
    annotations: {},
    createTime,
    updateTime,
    creator: `deployer@${project}.iam.gserviceaccount.com`,
    lastModifier: `deployer@${project}.iam.gserviceaccount.com`,
    client: "gcloud",
    clientVersion: "504.0.1",
    ingress: "INGRESS_TRAFFIC_ALL",
    launchStage: "GA",
    template: {
      scaling: { maxInstanceCount: 100 },
      timeout: { seconds: 300 },
      serviceAccount,
      containers: template.containers,
      volumes: template.volumes,
      maxInstanceRequestConcurrency: 80,
    },
    traffic: trafficTargets,
    scaling: { scalingMode: "AUTOMATIC" },
    urls: [`https://${name}-${projectNumber}.${region}.run.app`, uri],
    observedGeneration: String(generation),
    terminalCondition,
    conditions,
    latestReadyRevision: revisionName(project, region, name, readyRevision),
    latestCreatedRevision: revisionName(project, region, name, latestCreated),
    trafficStatuses,
    uri,
    reconciling: o.reconciling ?? false,
    etag: `"${Buffer.from(hex(`etag:${svcName}:${generation}`).slice(0, 24), "hex").toString("base64")}"`,
  };

  // One Revision per revision the service mentions, oldest first.
  const serving = new Set<string>();
  for (const t of trafficTargets) {
    if ((t.percent ?? 0) > 0)
      serving.add(t.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" ? readyRevision : t.revision!);
  }
  const names = new Set<string>([readyRevision, ...traffic.flatMap((t) => (t.revision ? [t.revision] : []))]);
  if (failed) names.add(failed.name);
  const ordered = [...names].sort((a, b) => (revisionIndex(a) ?? 0) - (revisionIndex(b) ?? 0) || (a < b ? -1 : 1));

  const revisions: RevisionMessage[] = ordered.map((rev) => {
    const fullName = revisionName(project, region, name, rev);
    const specs = o.revisionContainers?.[rev];
    const rendered = specs ? renderContainers(specs, { project, region, name }) : template;
    const created = timestamp(Number(createTime.seconds) + (revisionIndex(rev) ?? 1) * 3_600);
    const isFailed = failed?.name === rev;
    const revConditions: ICondition[] = isFailed
      ? [
          {
            type: "Ready",
            state: "CONDITION_FAILED",
            message: failed.message,
            lastTransitionTime: created,
            severity: "ERROR",
            reason: failed.reason,
          },
        ]
      : [
          { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: created },
          { type: "ContainerHealthy", state: "CONDITION_SUCCEEDED", lastTransitionTime: created },
          { type: "ResourcesAvailable", state: "CONDITION_SUCCEEDED", lastTransitionTime: created },
          serving.has(rev)
            ? { type: "Active", state: "CONDITION_SUCCEEDED", lastTransitionTime: created }
            : {
                type: "Active",
                state: "CONDITION_FAILED",
                lastTransitionTime: created,
                severity: "INFO",
                revisionReason: "RESERVE",
              },
        ];
    const revision: RevisionMessage = {
      name: fullName,
      uid: uuid(`revision:${fullName}`),
      generation: "1",
      labels: {},
      annotations: {},
      createTime: created,
      updateTime: created,
      launchStage: "GA",
      service: svcName,
      scaling: { maxInstanceCount: 100 },
      maxInstanceRequestConcurrency: 80,
      timeout: { seconds: 300 },
      serviceAccount,
      containers: rendered.containers,
      volumes: rendered.volumes,
      reconciling: false,
      conditions: revConditions,
      observedGeneration: "1",
      logUri: logUri(project, name, rev),
      etag: `"${Buffer.from(hex(`etag:${fullName}`).slice(0, 24), "hex").toString("base64")}"`,
    };
    return revision;
  });

  return { service, revisions };
}

function renderContainers(
  specs: ContainerSpec[],
  ctx: { project: string; region: string; name: string },
): { containers: IContainer[]; volumes: IVolume[] } {
  const volumes: IVolume[] = [];
  const containers = specs.map((spec, i): IContainer => {
    const ingress = i === 0;
    const env: IEnvVar[] = Object.entries(spec.env ?? {}).map(([envName, v]) =>
      typeof v === "string"
        ? { name: envName, value: v }
        : { name: envName, valueSource: { secretKeyRef: { secret: v.secret, version: v.version ?? "latest" } } },
    );
    const volumeMounts = (spec.volumeSecrets ?? []).map((vs) => {
      const volumeName = `secret-${volumes.length + 1}`;
      volumes.push({
        name: volumeName,
        secret: {
          secret: vs.secret,
          ...(vs.noItems
            ? {}
            : { items: [{ version: vs.version ?? "latest", path: vs.path ?? shortSecretName(vs.secret) }] }),
        },
      });
      return { name: volumeName, mountPath: vs.mountPath };
    });
    const container: IContainer = {
      name: spec.name ?? (ingress ? "placeholder-1" : `container-${i + 1}`),
      image:
        spec.image ??
        `${ctx.region}-docker.pkg.dev/${ctx.project}/` +
          `cloud-run-source-deploy/${ctx.name}${ingress ? "" : `-sidecar-${i}`}:latest`,
      env,
      resources: {
        limits: { cpu: "1000m", memory: "512Mi" },
        cpuIdle: true,
        ...(ingress ? { startupCpuBoost: true } : {}),
      },
      volumeMounts,
    };
    if (ingress) {
      container.ports = [{ name: "http1", containerPort: 8080 }];
      container.startupProbe = {
        timeoutSeconds: 240,
        periodSeconds: 240,
        failureThreshold: 1,
        tcpSocket: { port: 8080 },
      };
    }
    return container;
  });
  return { containers, volumes };
}

function notReadyMessage(failed: FailedRevisionSpec): string {
  return `Revision '${failed.name}' is not ready and cannot serve traffic. ${failed.message}`;
}

function defaultSecretField(): string {
  return "spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name";
}

function secretVersionPath(projectNumber: string, secret: string, version = "latest"): string {
  const full = secret.startsWith("projects/") ? secret : `projects/${projectNumber}/secrets/${secret}`;
  return `${full}/versions/${version}`;
}

function shortSecretName(secret: string): string {
  return secret.split("/").pop() ?? secret;
}

/** The generation a revision name carries: "api-00012-xyz" → 12. */
function revisionIndex(revision: string): number | undefined {
  const m = /-(\d{5})-[a-z0-9]{3}$/.exec(revision);
  return m ? Number(m[1]) : undefined;
}

function logUri(project: string, service: string, revision: string): string {
  const filter = encodeURIComponent(
    `resource.type="cloud_run_revision"\nresource.labels.service_name="${service}"\nresource.labels.` +
      `revision_name="${revision}"`,
  );
  return (
    `https://console.cloud.google.com/logs/viewer?project=${project}` +
    `&resource=cloud_run_revision/service_name/${service}/revision_name/${revision}&advancedFilter=${filter}`
  );
}

/** The two-letter code in legacy *.a.run.app URLs. */
function regionCode(region: string): string {
  const known: Record<string, string> = {
    "us-central1": "uc",
    "us-east1": "ue",
    "us-east4": "uk",
    "us-west1": "uw",
    "europe-west1": "ew",
    "europe-west2": "nw",
    "europe-west3": "ey",
    "europe-west4": "ez",
    "asia-northeast1": "an",
    "asia-east1": "de",
    "australia-southeast1": "ts",
    "northamerica-northeast1": "nn",
  };
  return (
    known[region] ??
    region
      .split("-")
      .map((p) => p[0])
      .join("")
      .slice(0, 2)
  );
}

function timestamp(seconds: number): ITimestamp & { seconds: string } {
  return { seconds: String(seconds), nanos: 0 };
}

function hex(input: string, radix: 16 | 36 = 16): string {
  const digest = createHash("sha256").update(input).digest("hex");
  return radix === 16 ? digest : BigInt(`0x${digest}`).toString(36);
}

function uuid(seed: string): string {
  const h = hex(`uuid:${seed}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
