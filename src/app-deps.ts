import type { Config } from "./config/schema.js";
import { createCloudRunClients, type CloudRunClients } from "./cloud-run/create-clients.js";
import { fetchLiveState } from "./diagnosis/fetch-live-state.js";
import type { LiveState, ServiceTarget } from "./diagnosis/types.js";
import type { AppIdentity } from "./render/markers.js";
import { loadBuiltInTemplates, type Template } from "./render/templates.js";
import { instrumentCloudRunClients } from "./cloud-run/instrument-clients.js";
import type { AppMetrics } from "./server/metrics.js";

/** What the features share: the templates, the live source and who the app is. Tests pass their own. */
export interface AppDeps {
  builtInTemplates: Map<string, Template>;
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  identity: AppIdentity;
  /** The server's metrics; absent in tests and the CLI. */
  metrics?: AppMetrics;
}

/** The production wiring, from the environment. The Cloud Run clients are created on first use. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env, metrics?: AppMetrics): AppDeps {
  let clients: CloudRunClients | undefined;
  const timeoutMs = Number(env.CLOUD_RUN_TIMEOUT_MS) || 15_000;
  return {
    builtInTemplates: loadBuiltInTemplates(),
    fetchLive(targets) {
      if (!clients) {
        clients = createCloudRunClients(env.CLOUD_RUN_EMULATOR_HOST);
        if (metrics) instrumentCloudRunClients(clients, metrics);
      }
      return fetchLiveState(clients, targets, { timeoutMs });
    },
    metrics,
    identity: {
      appId: env.APP_ID ? Number(env.APP_ID) : undefined,
      botLogin: env.CONFIG_TRIAGE_BOT_LOGIN || undefined,
    },
  };
}
