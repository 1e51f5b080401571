import { CONFIG_PATH, type Config } from "../../domain/config/schema.js";
import { evaluate, secretUsesOf, type EvaluateOptions } from "../../domain/diagnosis/evaluate.js";
import { mapBounded } from "../../domain/map-bounded.js";
import type { SecretVerification } from "../../domain/diagnosis/live-state.js";
import type { ResolvedRequirement } from "../../domain/diagnosis/resolve-requirements.js";
import { readSnapshotFile } from "../../domain/diagnosis/read-snapshot-file.js";
import type {
  HealthResult,
  LiveState,
  SecretUse,
  ServiceState,
  ServiceTarget,
} from "../../domain/diagnosis/live-state.js";

/** A snapshot file's text and when it was last changed (ISO 8601), or undefined when it does not exist. */
export type SnapshotRead = { text: string; updatedAt?: string } | undefined;

export interface GatherDeps {
  /** Reads services from Cloud Run. */
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  /** Reads a snapshot file named in the config (through GitHub for the app, from disk for a CLI). */
  readSnapshot(path: string): Promise<SnapshotRead>;
  /** Where `readSnapshot` looked, for the message when a file is not there (default: "on the default branch"). */
  snapshotWhere?: string;
  /** Requests a health URL (the adapter: `probeHealth`). */
  probe: (url: string, timeoutMs: number) => Promise<HealthResult>;
  now?: () => Date;
  /**
   * Verifies the Secret Manager versions the diagnosis relies on (`fetchSecretFacts`). Needs `checks`; absent: the
   * fixes are not verified. Only services read live are verified: a snapshot environment makes no live call.
   */
  fetchSecrets?(uses: SecretUse[]): Promise<SecretVerification>;
  /** The checks the diagnosis will run, to know which secrets it relies on. */
  checks?: ResolvedRequirement[];
  evaluateOptions?: EvaluateOptions;
}

/** Every service the config names, once each, in config order. */
export function configuredTargets(config: Config): ServiceTarget[] {
  return Object.entries(config.environments).flatMap(([environment, env]) =>
    [...new Set(env.services)].map((service) => ({ environment, project: env.project, region: env.region, service })),
  );
}

/**
 * The state the diagnosis reads: every configured service, live from Cloud Run or, for an environment with
 * `snapshot:`, from that file; then the health probes the config asks for. Independent reads run concurrently.
 */
export async function gatherLiveState(config: Config, deps: GatherDeps): Promise<LiveState> {
  const now = deps.now ?? (() => new Date());
  const targets = configuredTargets(config);
  const liveTargets = targets.filter((t) => !config.environments[t.environment].snapshot);
  const snapshotEnvs = Object.entries(config.environments).filter(([, env]) => env.snapshot);
  const [live, ...fromSnapshots] = await Promise.all([
    liveTargets.length ? deps.fetchLive(liveTargets, config) : undefined,
    ...snapshotEnvs.map(async ([environment, env]) => {
      const file = env.snapshot!;
      const envTargets = targets.filter((t) => t.environment === environment);
      const read = await deps.readSnapshot(file);
      if (!read) {
        return envTargets.map(
          (target): ServiceState => ({
            kind: "cannot-check",
            target,
            reason: "snapshot",
            detail:
              `\`environments.${environment}.snapshot\` in \`${CONFIG_PATH}\` names \`${file}\`, which does not ` +
              `exist ${deps.snapshotWhere ?? "on the default branch"}: commit the output of \`gcloud run services ` +
              `describe SERVICE --format yaml\` there, or remove \`snapshot:\` from environment \`${environment}\``,
            origin: { file },
          }),
        );
      }
      return readSnapshotFile(read.text, envTargets, { file, takenAt: read.updatedAt });
    }),
  ]);
  const states = [...(live?.services ?? []), ...fromSnapshots.flat()];
  const order = (s: ServiceState) =>
    targets.findIndex((t) => t.environment === s.target.environment && t.service === s.target.service);
  states.sort((a, b) => order(a) - order(b));
  const unprobed = await probeAll(config, states, deps.probe);
  const state: LiveState = {
    source: liveTargets.length ? "live" : "snapshot",
    fetchedAt: live?.fetchedAt ?? now().toISOString(),
    services: states,
    ...(unprobed.length ? { unprobed } : {}),
  };
  if (deps.fetchSecrets && deps.checks) {
    // What the diagnosis will rely on, from the services read live only: a snapshot environment stays offline.
    const uses = secretUsesOf(
      evaluate(deps.checks, { ...state, services: states.filter((s) => !s.origin) }, deps.evaluateOptions),
    );
    if (uses.length) {
      const verification = await deps.fetchSecrets(uses);
      state.secrets = verification.facts;
      state.projectNumbers = verification.projectNumbers;
    }
  }
  return state;
}

/**
 * Requests the health URLs the config asks for, and returns the services it would not probe. Only a URL that Cloud
 * Run's API gave is requested: a snapshot's `status.url` is text in the repository, and requesting it would let anyone
 * who can commit make the app call any host and port it can reach (SSRF). A snapshot-only check so stays offline.
 */
async function probeAll(
  config: Config,
  states: ServiceState[],
  probe: NonNullable<GatherDeps["probe"]>,
): Promise<ServiceTarget[]> {
  const unprobed: ServiceTarget[] = [];
  const due = states.flatMap((s) => {
    const health = config.environments[s.target.environment]?.health;
    if (s.kind !== "ok" || !health || !s.snapshot.uri) return [];
    if (health.services && !health.services.includes(s.target.service)) return [];
    if (s.origin) {
      unprobed.push(s.target);
      return [];
    }
    return [{ state: s, url: `${s.snapshot.uri.replace(/\/$/, "")}${health.path}`, timeoutMs: health.timeout_ms }];
  });
  await mapBounded(due, 8, async ({ state, url, timeoutMs }) => {
    state.health = await probe(url, timeoutMs);
  });
  return unprobed;
}
