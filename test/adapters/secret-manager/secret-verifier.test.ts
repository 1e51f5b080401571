/** Which environments verify fixes in Secret Manager, from the app's environment variables. */
import { describe, expect, it } from "@jest/globals";
import { secretVerifier } from "../../../src/entry/wire-app.js";
import { readAppSettings } from "../../../src/entry/read-settings.js";

function settingsOf(env: NodeJS.ProcessEnv) {
  const read = readAppSettings(env);
  if (!read.ok) throw new Error(read.problems.join("\n"));
  return read.settings;
}

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
    expect(Boolean(secretVerifier(settingsOf(env)))).toBe(on);
  });

  it("a wrong setting names the variable and the values it takes", () => {
    expect(readAppSettings({ CONFIG_TRIAGE_VERIFY_SECRETS: "yes" })).toEqual({
      ok: false,
      problems: ["CONFIG_TRIAGE_VERIFY_SECRETS=yes is not valid: use true (the default) or false"],
    });
  });
});
