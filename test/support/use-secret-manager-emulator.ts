import { afterAll, beforeAll } from "@jest/globals";
import { type SecretManagerEmulator, startSecretManagerEmulator } from "../../dev/secret-manager-emulator.js";
import {
  createSecretManagerClients,
  type SecretManagerClients,
} from "../../src/adapters/secret-manager/create-clients.js";

/** The Secret Manager stand-in and the app's clients on it, for the tests of one file (started once, closed after). */
export function useSecretManagerEmulator(): {
  readonly emulator: SecretManagerEmulator;
  readonly clients: SecretManagerClients;
} {
  let emulator: SecretManagerEmulator | undefined;
  let clients: SecretManagerClients | undefined;
  beforeAll(async () => {
    emulator = await startSecretManagerEmulator();
    clients = createSecretManagerClients(emulator.address);
  });
  afterAll(async () => {
    await clients?.close();
    await emulator?.close();
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
