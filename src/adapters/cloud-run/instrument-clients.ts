import type { CloudRunClients } from "./create-clients.js";

/** Times one Cloud Run call named `method` (the server's metrics implement it: `timeCloudRunCall`). */
export type CloudRunCallTimer = <T>(method: string, call: () => Promise<T>) => Promise<T>;

/** Passes every GetService, ListServices and GetRevision call of these clients through `time`. */
export function instrumentCloudRunClients(clients: CloudRunClients, time: CloudRunCallTimer): CloudRunClients {
  const getService = clients.services.getService.bind(clients.services) as (...args: unknown[]) => Promise<unknown>;
  const getRevision = clients.revisions.getRevision.bind(clients.revisions) as (...args: unknown[]) => Promise<unknown>;
  const listServices = clients.services.listServices.bind(clients.services) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(clients.services, {
    getService: (...args: unknown[]) => time("GetService", () => getService(...args)),
    // One ListServices per project and region is how the live check reads services (see fetch-live-state.ts).
    listServices: (...args: unknown[]) => time("ListServices", () => listServices(...args)),
  });
  Object.assign(clients.revisions, {
    getRevision: (...args: unknown[]) => time("GetRevision", () => getRevision(...args)),
  });
  return clients;
}
