import { createCloudRunClients, type CloudRunClients } from "../adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../adapters/cloud-run/fetch-live-state.js";
import type { SecretUse } from "../domain/diagnosis/live-state.js";
import { fetchSecretFacts } from "../adapters/secret-manager/fetch-secret-facts.js";
import type { SecretFetchOptions } from "../domain/diagnosis/live-state.js";
import { createSecretManagerClients, type SecretManagerClients } from "../adapters/secret-manager/create-clients.js";
import { loadBuiltInTemplates } from "../rendering/templates.js";
import { instrumentCloudRunClients } from "../adapters/cloud-run/instrument-clients.js";
import { timeCloudRunCall, triageObserver, type AppMetrics } from "../adapters/metrics/prometheus-metrics.js";
import type { AppWiring } from "../use-cases/app-wiring.js";
import { createMemoryRateLimitStore, createRedisRateLimitStore } from "../adapters/rate-limits/rate-limit-store.js";
import { Redis } from "ioredis";
import type { AppSettings } from "./read-settings.js";

/**
 * The app's production wiring (`AppWiring`), from the settings read once at the entry point (`readAppSettings`).
 * The Cloud Run clients are created by `warmUp` or on first use.
 */
export function wireApp(settings: AppSettings, metrics?: AppMetrics, redis?: Redis): AppWiring {
  const { cloudRun: cloudRunSettings, redisUrl } = settings;
  const timeoutMs = cloudRunSettings.timeoutMs;
  let clients: CloudRunClients | undefined;
  const cloudRun = () => {
    if (!clients) {
      clients = createCloudRunClients(cloudRunSettings.emulatorHost, cloudRunSettings.credentialsFile);
      if (metrics) instrumentCloudRunClients(clients, (method, call) => timeCloudRunCall(metrics, method, call));
    }
    return clients;
  };
  return {
    builtInTemplates: loadBuiltInTemplates(),
    fetchLive(targets) {
      return fetchLiveState(cloudRun(), targets, { timeoutMs });
    },
    fetchSecrets: secretVerifier(settings),
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
      redis || redisUrl
        ? createRedisRateLimitStore(redis ?? new Redis(redisUrl!, { lazyConnect: true }))
        : createMemoryRateLimitStore(),
    identity: { appId: settings.appId, botLogin: settings.botLogin },
    ownIssuesBy: settings.botLogin,
    transport: settings.githubApi === "rest" ? "rest" : "graphql",
    // One Google identity serves every installation: each may read only the projects the operator allowed it.
    allowedProjects: settings.allowedProjects,
  };
}

/**
 * The Secret Manager check of fixes, unless the settings turn it off (`secretManager.verify`: not with
 * `CONFIG_TRIAGE_VERIFY_SECRETS=false`, nor with an emulated Cloud Run without `SECRET_MANAGER_EMULATOR_HOST`: an
 * emulated service is never checked against the real Secret Manager). Clients are created on first use.
 */
export function secretVerifier(settings: Pick<AppSettings, "cloudRun" | "secretManager">): SecretVerifier | undefined {
  if (!settings.secretManager.verify) return undefined;
  let clients: SecretManagerClients | undefined;
  const secretClients = () => {
    clients ??= createSecretManagerClients(settings.secretManager.emulatorHost, settings.cloudRun.credentialsFile);
    return clients;
  };
  const verify = (uses: SecretUse[], options: Pick<SecretFetchOptions, "allowProject"> = {}) =>
    fetchSecretFacts(secretClients(), uses, { ...options, timeoutMs: settings.cloudRun.timeoutMs });
  return Object.assign(verify, { close: async () => clients?.close() });
}

/** `fetchSecrets`, with a way to close its clients (a CLI run ends with it; the server keeps them). */
export type SecretVerifier = NonNullable<AppWiring["fetchSecrets"]> & { close(): Promise<void> };
