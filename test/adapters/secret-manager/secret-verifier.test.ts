/** Which environments verify fixes in Secret Manager, from the app's environment variables. */
import { describe, expect, it } from "@jest/globals";
import { secretVerifier } from "../../../src/entry/app-deps.js";

describe("secretVerifier", () => {
  it.each<{ name: string; env: NodeJS.ProcessEnv; on: boolean }>([
    { name: "production (no emulator): verifies with Application Default Credentials", env: {}, on: true },
    {
      name: "emulated Cloud Run without a Secret Manager stand-in: never the real Secret Manager",
      env: { CLOUD_RUN_EMULATOR_HOST: "127.0.0.1:1" },
      on: false,
    },
    {
      name: "both stand-ins: verifies against the local one",
      env: { CLOUD_RUN_EMULATOR_HOST: "127.0.0.1:1", SECRET_MANAGER_EMULATOR_HOST: "127.0.0.1:2" },
      on: true,
    },
    { name: "turned off", env: { CONFIG_TRIAGE_VERIFY_SECRETS: "false" }, on: false },
  ])("$name", ({ env, on }) => {
    expect(Boolean(secretVerifier(env, 1000))).toBe(on);
  });

  it("a wrong setting names the variable and the values it takes", () => {
    expect(() => secretVerifier({ CONFIG_TRIAGE_VERIFY_SECRETS: "yes" }, 1000)).toThrow(
      'CONFIG_TRIAGE_VERIFY_SECRETS is "yes": use "true" (the default) or "false"',
    );
  });
});
