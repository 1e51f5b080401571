import { timeCloudRunCall, type AppMetrics } from "../metrics/prometheus-metrics.js";
import type { CloudRunClients } from "./create-clients.js";

/** Times every GetService and GetRevision call of these clients into the app's Cloud Run latency histogram. */
export function instrumentCloudRunClients(clients: CloudRunClients, metrics: AppMetrics): CloudRunClients {
  const getService = clients.services.getService.bind(clients.services) as (...args: unknown[]) => Promise<unknown>;
  const getRevision = clients.revisions.getRevision.bind(clients.revisions) as (...args: unknown[]) => Promise<unknown>;
  const listServices = clients.services.listServices.bind(clients.services) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(clients.services, {
    getService: (...args: unknown[]) => timeCloudRunCall(metrics, "GetService", () => getService(...args)),
    // One ListServices per project and region is how the live check reads services (see fetch-live-state.ts).
    listServices: (...args: unknown[]) => timeCloudRunCall(metrics, "ListServices", () => listServices(...args)),
  });
  Object.assign(clients.revisions, {
    getRevision: (...args: unknown[]) => timeCloudRunCall(metrics, "GetRevision", () => getRevision(...args)),
  });
  return clients;
}
