import { ServicesClient, RevisionsClient } from "@google-cloud/run";
import gax from "google-gax";

/** The two Cloud Run Admin API v2 clients the live check reads through. */
export interface CloudRunClients {
  services: ServicesClient;
  revisions: RevisionsClient;
  close(): Promise<void>;
}

/**
 * Creates the Cloud Run clients.
 *
 * With `emulatorHost` ("host:port", from `CLOUD_RUN_EMULATOR_HOST`) the clients talk plain-text gRPC to that address
 * and use no Google credentials, like Google's other `*_EMULATOR_HOST` variables. Otherwise they use Application
 * Default Credentials against run.googleapis.com.
 */
export function createCloudRunClients(emulatorHost: string | undefined = process.env.CLOUD_RUN_EMULATOR_HOST): CloudRunClients {
  const options = emulatorHost ? emulatorOptions(emulatorHost) : {};
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  return {
    services,
    revisions,
    async close() {
      await Promise.all([services.close(), revisions.close()]);
    },
  };
}

function emulatorOptions(hostPort: string) {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort.trim());
  if (!match) {
    throw new Error(`CLOUD_RUN_EMULATOR_HOST must be host:port (for example 127.0.0.1:8085), got "${hostPort}"`);
  }
  return {
    apiEndpoint: match[1],
    port: Number(match[2]),
    // The credentials object must come from google-gax's own copy of grpc-js; another copy is rejected.
    sslCreds: gax.grpc.credentials.createInsecure(),
    // Without it the client probes the GCE metadata server to learn the universe domain, which is slow offline.
    universeDomain: "googleapis.com",
  };
}
