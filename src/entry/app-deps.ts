import { readAllowedProjects } from "../domain/config/allowed-projects.js";
import { createCloudRunClients, type CloudRunClients } from "../adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../adapters/cloud-run/fetch-live-state.js";
import type { SecretUse } from "../domain/diagnosis/live-state.js";
import { fetchSecretFacts } from "../adapters/secret-manager/fetch-secret-facts.js";
import type { SecretFetchOptions } from "../domain/diagnosis/live-state.js";
import { createSecretManagerClients, type SecretManagerClients } from "../adapters/secret-manager/create-clients.js";
import { loadBuiltInTemplates } from "../rendering/templates.js";
import { instrumentCloudRunClients } from "../adapters/cloud-run/instrument-clients.js";
import { timeCloudRunCall, triageObserver, type AppMetrics } from "../adapters/metrics/prometheus-metrics.js";
import type { AppDeps } from "../use-cases/app-deps.js";
import { createMemoryRateLimitStore, createRedisRateLimitStore } from "../adapters/rate-limits/rate-limit-store.js";
import { Redis } from "ioredis";

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
      if (metrics) instrumentCloudRunClients(clients, (method, call) => timeCloudRunCall(metrics, method, call));
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
    observer: metrics ? triageObserver(metrics) : undefined,
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
