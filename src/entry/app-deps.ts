import { readAllowedProjects, type ProjectPolicy } from "../domain/config/allowed-projects.js";
import type { Config } from "../domain/config/schema.js";
import { createCloudRunClients, type CloudRunClients } from "../adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../adapters/cloud-run/fetch-live-state.js";
import type { LiveState, SecretUse, ServiceTarget } from "../domain/diagnosis/live-state.js";
import { fetchSecretFacts } from "../adapters/secret-manager/fetch-secret-facts.js";
import type { SecretFetchOptions, SecretVerification } from "../domain/diagnosis/live-state.js";
import { createSecretManagerClients, type SecretManagerClients } from "../adapters/secret-manager/create-clients.js";
import type { AppIdentity } from "../domain/issue-state/markers.js";
import { loadBuiltInTemplates } from "../rendering/templates.js";
import type { Template } from "../domain/config/follow-up-template.js";
import { instrumentCloudRunClients } from "../adapters/cloud-run/instrument-clients.js";
import type { AppMetrics } from "../adapters/metrics/prometheus-metrics.js";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "../adapters/rate-limits/rate-limit-store.js";
import { Redis } from "ioredis";
import type { WatchScheduler } from "../use-cases/triage/watch-scheduler.js";

/** What the features share: the templates, the live source and who the app is. Tests pass their own. */
export interface AppDeps {
  builtInTemplates: Map<string, Template>;
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  /**
   * Verifies the Secret Manager versions a diagnosis relies on (metadata only); absent: not verified. `allowProject`
   * says which projects this installation may read (the triage passes the operator's `allowedProjects`).
   */
  fetchSecrets?(uses: SecretUse[], options?: Pick<SecretFetchOptions, "allowProject">): Promise<SecretVerification>;
  identity: AppIdentity;
  /** The server's metrics; absent in tests and the CLI. */
  metrics?: AppMetrics;
  /** Counts triages per issue (`max_triages_per_hour`); `createApp` gives an in-memory store when none is passed. */
  rateLimits?: RateLimitStore;
  /**
   * How the app talks to GitHub: "graphql" (one read and one document per write phase, falling back to REST per
   * installation when GraphQL or sub-issues are not available) or "rest" (one request per read and write).
   * Unset means "rest"; the production wiring picks "graphql" unless CONFIG_TRIAGE_GITHUB_API=rest.
   */
  transport?: "graphql" | "rest";
  /**
   * Where the config is read in the repository, when not `.github/config-triage.yml` (the Action's `config-path`):
   * that file alone, from the default branch (no fallback to the owner's `.github` repository, no `_extends`).
   */
  configPath?: string;
  /**
   * The GCP projects each installation may check (`CONFIG_TRIAGE_ALLOWED_PROJECTS` or `..._FILE`); the production
   * wiring always sets it, and with no setting nothing is allowed. Unset (tests, the Action): every project.
   */
  allowedProjects?: ProjectPolicy;
  /**
   * The login whose issues a REST run searches for follow-ups an earlier run opened but did not record
   * (`CONFIG_TRIAGE_BOT_LOGIN`); unset: the app's bot, asked once from `GET /app`.
   */
  ownIssuesBy?: string;
  /**
   * Where watched issues are rechecked on a schedule (`watch:`, `/triage watch`): the server's, in memory or on Redis.
   * Absent (tests, the CLI, the Action): nothing is watched.
   */
  watches?: WatchScheduler;
  /** The floor of `watch.every` (`CONFIG_TRIAGE_WATCH_MIN_EVERY`, default 5 minutes). */
  watchMinEveryMs?: number;
  /** Prepares slow-to-start clients (Cloud Run's gRPC stubs) so the first triage does not wait on them. */
  warmUp?(): Promise<void>;
}

/** The production wiring, from the environment. The Cloud Run clients are created by `warmUp` or on first use. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env, metrics?: AppMetrics, redis?: Redis): AppDeps {
  const api = env.CONFIG_TRIAGE_GITHUB_API;
  if (api !== undefined && api !== "" && api !== "graphql" && api !== "rest") {
    throw new Error(`CONFIG_TRIAGE_GITHUB_API is "${api}": use "graphql" (the default) or "rest"`);
  }
  let clients: CloudRunClients | undefined;
  const cloudRun = () => {
    if (!clients) {
      clients = createCloudRunClients(env.CLOUD_RUN_EMULATOR_HOST, env.GOOGLE_APPLICATION_CREDENTIALS);
      if (metrics) instrumentCloudRunClients(clients, metrics);
    }
    return clients;
  };
  const timeoutMs = Number(env.CLOUD_RUN_TIMEOUT_MS) || 15_000;
  const secretManager = secretVerifier(env, timeoutMs);
  return {
    builtInTemplates: loadBuiltInTemplates(),
    fetchLive(targets) {
      return fetchLiveState(cloudRun(), targets, { timeoutMs });
    },
    fetchSecrets: secretManager,
    async warmUp() {
      // Loading the protos and building the gRPC stubs takes about a second: do it before the first triage waits on it.
      // Only once credentials are found: a stub built without them stays broken for the life of the client.
      const clients = cloudRun();
      await clients.checkCredentials?.(timeoutMs);
      await Promise.all([clients.services.initialize(), clients.revisions.initialize()]);
    },
    metrics,
    // With several instances (Redis), the count of triages per issue must be shared: the queue's connection carries it.
    // Without a connection handed in, REDIS_URL gets one of its own.
    rateLimits:
      redis || env.REDIS_URL
        ? createRedisRateLimitStore(redis ?? new Redis(env.REDIS_URL!, { lazyConnect: true }))
        : createMemoryRateLimitStore(),
    identity: {
      appId: env.APP_ID ? Number(env.APP_ID) : undefined,
      botLogin: env.CONFIG_TRIAGE_BOT_LOGIN || undefined,
    },
    ownIssuesBy: env.CONFIG_TRIAGE_BOT_LOGIN || undefined,
    transport: api === "rest" ? "rest" : "graphql",
    // One Google identity serves every installation: each may read only the projects the operator allowed it.
    allowedProjects: readAllowedProjects(env),
  };
}

/**
 * The Secret Manager check of fixes, unless `CONFIG_TRIAGE_VERIFY_SECRETS=false`. With an emulated Cloud Run
 * (`CLOUD_RUN_EMULATOR_HOST`) it runs only against `SECRET_MANAGER_EMULATOR_HOST`: an emulated service is never checked
 * against the real Secret Manager. Clients are created on first use.
 */
export function secretVerifier(env: NodeJS.ProcessEnv, timeoutMs: number): SecretVerifier | undefined {
  const setting = env.CONFIG_TRIAGE_VERIFY_SECRETS;
  if (setting !== undefined && setting !== "" && setting !== "true" && setting !== "false") {
    throw new Error(`CONFIG_TRIAGE_VERIFY_SECRETS is "${setting}": use "true" (the default) or "false"`);
  }
  if (setting === "false" || (env.CLOUD_RUN_EMULATOR_HOST && !env.SECRET_MANAGER_EMULATOR_HOST)) return undefined;
  let clients: SecretManagerClients | undefined;
  const secretClients = () => {
    clients ??= createSecretManagerClients(env.SECRET_MANAGER_EMULATOR_HOST, env.GOOGLE_APPLICATION_CREDENTIALS);
    return clients;
  };
  const verify = (uses: SecretUse[], options: Pick<SecretFetchOptions, "allowProject"> = {}) =>
    fetchSecretFacts(secretClients(), uses, {
      ...options,
      timeoutMs,
    });
  return Object.assign(verify, { close: async () => clients?.close() });
}

/** `fetchSecrets`, with a way to close its clients (a CLI run ends with it; the server keeps them). */
export type SecretVerifier = NonNullable<AppDeps["fetchSecrets"]> & { close(): Promise<void> };
