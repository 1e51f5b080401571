import { parseAllDocuments } from "yaml";
import { describeRevisionYaml, describeServiceYaml } from "./gcloud-commands.js";
import { parseSecretName, projectNumberFromUrls, shortName } from "./to-snapshot.js";
import type {
  ContainerSnapshot,
  EnvEntry,
  RevisionSnapshot,
  SecretMount,
  ServiceSnapshot,
  ServiceState,
  ServiceTarget,
  SnapshotOrigin,
  TrafficShare,
} from "./live-state.js";

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML or JSON document, checked field by field below
type Doc = Record<string, any>;

/**
 * Reads an offline snapshot: the output of `gcloud run services describe SERVICE --format yaml` (Knative
 * `serving.knative.dev/v1`), one YAML document per service, optionally followed by the revisions that serve traffic
 * (`gcloud run revisions describe REVISION --format yaml`). A `kind: List` with `items` (`gcloud run services list
 * --format yaml`) works too. Values are dropped here, as for the live API.
 *
 * Each target gets a state: its service from the file, or `cannot-check` saying what the file lacks.
 */
export function readSnapshotFile(text: string, targets: ServiceTarget[], origin: SnapshotOrigin): ServiceState[] {
  let docs: Doc[];
  try {
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const errors = list.flatMap((d) => d.errors);
    if (errors.length) throw new Error(errors[0].message.split("\n")[0]);
    docs = list
      .map((d) => d.toJS())
      .flatMap((d: Doc | null) => (d?.kind === "List" && Array.isArray(d.items) ? d.items : d ? [d] : []));
  } catch (error) {
    return targets.map((target) => unusable(target, origin, `the file is not valid YAML: ${(error as Error).message}`));
  }
  const services = docs.filter((d) => d.kind === "Service");
  const revisions = docs.filter((d) => d.kind === "Revision");
  return targets.map((target): ServiceState => {
    const doc = services.find((d) => d.metadata?.name === target.service);
    if (!doc) {
      const names = services.map((d) => String(d.metadata?.name ?? "?"));
      return unusable(
        target,
        origin,
        `it has no Service named \`${target.service}\`` +
          (names.length ? ` (it has ${names.map((n) => `\`${n}\``).join(", ")})` : "") +
          `: add the output of \`${describeServiceYaml(target)}\``,
      );
    }
    if (!String(doc.apiVersion ?? "").startsWith("serving.knative.dev/")) {
      return unusable(
        target,
        origin,
        `\`${target.service}\` has apiVersion \`${doc.apiVersion}\`; expected \`serving.knative.dev/v1\` (from ` +
          `\`gcloud run services describe --format yaml\`)`,
      );
    }
    return { kind: "ok", target, snapshot: knativeToSnapshot(target, doc, revisions), origin };
  });
}

function unusable(target: ServiceTarget, origin: SnapshotOrigin, why: string): ServiceState {
  return { kind: "cannot-check", target, reason: "snapshot", detail: `snapshot \`${origin.file}\`: ${why}`, origin };
}

/** Knative `spec` of a revision (template or Revision) -> containers with names and sources only. */
function toContainers(spec: Doc | undefined, aliases: Map<string, string> = new Map()): ContainerSnapshot[] {
  const containers: Doc[] = spec?.containers ?? [];
  const volumes = new Map<string, Doc>((spec?.volumes ?? []).map((v: Doc) => [v.name, v]));
  const servingIndex = Math.max(
    0,
    containers.findIndex((c) => (c.ports ?? []).length > 0),
  );
  return containers.map((c, i) => {
    const env: EnvEntry[] = (c.env ?? []).map((e: Doc) => {
      const ref = e.valueFrom?.secretKeyRef;
      return ref
        ? {
            name: String(e.name),
            source: { kind: "secret", ...secretOf(ref.name, aliases), version: String(ref.key ?? "latest") },
          }
        : { name: String(e.name), source: { kind: "literal" } };
    });
    const secretMounts: SecretMount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const secret = volumes.get(m.name)?.secret;
      if (!secret) continue;
      const named = secretOf(secret.secretName, aliases);
      // Without `items`, the latest version is mounted at a file named after the secret, as in the v2 API.
      const items: Doc[] = secret.items?.length ? secret.items : [{ key: "latest", path: named.secret }];
      for (const item of items) {
        const path = [String(m.mountPath ?? "").replace(/\/$/, ""), item.path].filter(Boolean).join("/");
        secretMounts.push({ ...named, version: String(item.key ?? "latest"), path });
      }
    }
    return { name: String(c.name || `container-${i}`), serving: i === servingIndex, env, secretMounts };
  });
}

/**
 * `projects/p/secrets/x` or `x`. A secret of another project appears in Knative under an alias declared in the
 * template's `run.googleapis.com/secrets` annotation (`alias:projects/P/secrets/S,…`): the alias resolves to it.
 */
function secretOf(name: unknown, aliases: Map<string, string>): { secret: string; project?: string } {
  const s = String(name ?? "");
  return parseSecretName(aliases.get(s) ?? s);
}

/**
 * The service's URLs gcloud lists in the `run.googleapis.com/urls` annotation (a JSON array), deterministic one
 * included.
 */
function annotatedUrls(doc: Doc): string[] {
  try {
    const urls = JSON.parse(String(doc.metadata?.annotations?.["run.googleapis.com/urls"] ?? "[]"));
    return Array.isArray(urls) ? urls.map(String) : [];
  } catch {
    return [];
  }
}

function secretAliases(annotations: Doc | undefined): Map<string, string> {
  const raw = String(annotations?.["run.googleapis.com/secrets"] ?? "");
  return new Map(
    raw
      .split(",")
      .map((pair) => pair.trim().split(/:(.*)/s))
      .filter(([alias, path]) => alias && path)
      .map(([alias, path]) => [alias, path] as [string, string]),
  );
}

function knativeToSnapshot(target: ServiceTarget, doc: Doc, revisionDocs: Doc[]): ServiceSnapshot {
  const status: Doc = doc.status ?? {};
  const latestReady = status.latestReadyRevisionName || undefined;
  const traffic: TrafficShare[] = (status.traffic ?? doc.spec?.traffic ?? [])
    .filter((t: Doc) => (t.percent ?? 0) > 0)
    .map((t: Doc) => ({
      revision: t.latestRevision ? (latestReady ?? "") : String(t.revisionName ?? ""),
      percent: Number(t.percent),
      latest: Boolean(t.latestRevision),
    }));
  const ready = (status.conditions ?? []).find((c: Doc) => c.type === "Ready");
  const revisions: Record<string, RevisionSnapshot> = {};
  for (const r of revisionDocs) {
    if (r.metadata?.labels?.["serving.knative.dev/service"] !== target.service) continue;
    const name = shortName(r.metadata?.name);
    revisions[name] = {
      name,
      containers: toContainers(r.spec, secretAliases(r.metadata?.annotations)),
      serviceAccount: r.spec?.serviceAccountName || undefined,
    };
  }
  const snapshot: ServiceSnapshot = {
    ...target,
    uri: status.url || undefined,
    projectNumber: projectNumberFromUrls(target.service, [status.url, ...annotatedUrls(doc)].filter(Boolean)),
    template: {
      name: doc.spec?.template?.metadata?.name || "(template)",
      containers: toContainers(doc.spec?.template?.spec, secretAliases(doc.spec?.template?.metadata?.annotations)),
      serviceAccount: doc.spec?.template?.spec?.serviceAccountName || undefined,
    },
    latestReadyRevision: latestReady,
    latestCreatedRevision: status.latestCreatedRevisionName || undefined,
    traffic,
    terminalCondition: ready
      ? {
          state:
            ready.status === "True"
              ? "CONDITION_SUCCEEDED"
              : ready.status === "False"
                ? "CONDITION_FAILED"
                : "CONDITION_RECONCILING",
          reason: ready.reason || undefined,
          message: ready.message || undefined,
        }
      : undefined,
    reconciling: ready?.status === "Unknown",
    generation: doc.metadata?.generation != null ? String(doc.metadata.generation) : undefined,
    observedGeneration: status.observedGeneration != null ? String(status.observedGeneration) : undefined,
    revisions,
  };
  // The revision made from the current template, once the rollout settled, is the template: same rule as live.
  const settled = !snapshot.reconciling && snapshot.generation === snapshot.observedGeneration;
  const created = snapshot.latestCreatedRevision;
  if (settled && created && !revisions[created]) revisions[created] = { ...snapshot.template, name: created };
  const missing = traffic.map((t) => t.revision).filter((r) => r && !revisions[r]);
  if (missing.length) {
    snapshot.revisionErrors = Object.fromEntries(
      missing.map((r) => [
        r,
        {
          reason: "snapshot" as const,
          detail:
            `the snapshot has no revision \`${r}\`: ` +
            `add the output of \`${describeRevisionYaml(target, r)}\` to it`,
        },
      ]),
    );
  }
  return snapshot;
}
