/**
 * The app for integration tests through `probot.receive` with nock: a test Probot (throttling and retries off) with
 * the built-in templates, reading Cloud Run from the local emulator; and the emulator's lifecycle for a test file.
 */
import nock from "nock";
import type { Probot } from "probot";
import type { AppWiring } from "../../src/use-cases/app-wiring.js";
import { createCloudRunClients, type CloudRunClients } from "../../src/adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../../src/adapters/cloud-run/fetch-live-state.js";
import { createApp } from "../../src/entry/create-app.js";
import { loadBuiltInTemplates } from "../../src/rendering/templates.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../dev/cloud-run-emulator.js";
import { APP_ID, testProbot } from "./probot.js";
import { scenarioServices } from "../../dev/scenario.js";

/** A fresh Probot running the app, Cloud Run read through `clients` (5 s per read); `deps` replaces any dependency. */
export function testApp(clients: CloudRunClients, deps: Partial<AppWiring> = {}): Probot {
  return testProbot(
    createApp({
      builtInTemplates: loadBuiltInTemplates(),
      fetchLive: (targets) => fetchLiveState(clients, targets, { timeoutMs: 5000 }),
      identity: { appId: APP_ID },
      ...deps,
    }),
  );
}

export interface EmulatorAndClients {
  /** Set once the `beforeAll` has run. */
  readonly emulator: CloudRunEmulator;
  readonly clients: CloudRunClients;
}

/**
 * For the calling test file, from before the first test to after the last: the Cloud Run emulator serving `serve`
 * (the scenario's services by default; `{}` for none) and clients on it; with `blockNetwork`, no network but nock's
 * mocks. Call it at the top level.
 */
export function useCloudRunEmulator(
  o: { serve?: Parameters<typeof startCloudRunEmulator>[0]; blockNetwork?: boolean } = {},
): EmulatorAndClients {
  let emulator: CloudRunEmulator | undefined;
  let clients: CloudRunClients | undefined;
  beforeAll(async () => {
    emulator = await startCloudRunEmulator(o.serve ?? scenarioServices());
    clients = createCloudRunClients(emulator.address);
    if (o.blockNetwork) nock.disableNetConnect();
  });
  afterAll(async () => {
    await clients?.close();
    await emulator?.close();
    if (o.blockNetwork) nock.enableNetConnect();
  });
  return {
    get emulator() {
      return emulator!;
    },
    get clients() {
      return clients!;
    },
  };
}
