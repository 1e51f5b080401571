/**
 * `config-triage check` verifies the fixes' secrets like the app (issue 13, "verify the fix"): the same verdict and
 * problems as the app's path for live environments, and no live call for an environment read from a snapshot.
 */
import { probeHealth } from "../../../src/adapters/cloud-run/probe-health.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIO } from "../../../src/entry/cli/cli-io.js";
import { runCli } from "../../../src/entry/cli/run-cli.js";
import { createCloudRunClients } from "../../../src/adapters/cloud-run/create-clients.js";
import { parseConfigText } from "../../../src/domain/config/parse-config.js";
import { evaluate } from "../../../src/domain/diagnosis/evaluate.js";
import { fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { fetchSecretFacts } from "../../../src/adapters/secret-manager/fetch-secret-facts.js";
import { gatherLiveState } from "../../../src/use-cases/triage/gather-live-state.js";
import { resolveRequirements } from "../../../src/domain/diagnosis/resolve-requirements.js";
import { createSecretManagerClients } from "../../../src/adapters/secret-manager/create-clients.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { projectNumberFor } from "../../../dev/cloud-run-fixtures.js";
import { startSecretManagerEmulator, type SecretManagerEmulator } from "../../../dev/secret-manager-emulator.js";
import { scenarioConfigYaml, scenarioServices } from "../../../dev/scenario.js";

const STAGING_YAML = readFileSync(new URL("../../fixtures/snapshots/staging.yaml", import.meta.url), "utf8");
let cloudRun: CloudRunEmulator;
let sm: SecretManagerEmulator;
let dir: string;

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  sm = await startSecretManagerEmulator();
});
afterAll(async () => {
  await cloudRun.close();
  await sm.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "config-triage-secrets-"));
  sm.reset();
  cloudRun.calls.length = 0;
  // Staging's secret was never created; production's pinned version 3 was disabled.
  sm.setProject("netra-staging");
  const member = `serviceAccount:${projectNumberFor("netra-production")}-compute@developer.gserviceaccount.com`;
  sm.setSecret({
    project: "netra-production",
    name: "jwt-secret-production",
    versions: ["ENABLED", "ENABLED", "DISABLED"],
    bindings: [{ role: "roles/secretmanager.secretAccessor", members: [member] }],
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({
  CLOUD_RUN_EMULATOR_HOST: cloudRun.address,
  SECRET_MANAGER_EMULATOR_HOST: sm.address,
  CLOUD_RUN_TIMEOUT_MS: "5000",
});

async function check(config: string) {
  mkdirSync(join(dir, ".github"), { recursive: true });
  writeFileSync(join(dir, ".github/config-triage.yml"), config);
  writeFileSync(join(dir, "staging.yaml"), STAGING_YAML);
  let stdout = "";
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: () => undefined,
    stderrIsTTY: false,
    env: env(),
    cwd: dir,
  };
  const code = await runCli(["check", "--format", "json"], io);
  return {
    code,
    report: JSON.parse(stdout) as { verdict: string; problems: { key: string; fix?: string; verified?: string }[] },
  };
}

describe("config-triage check: the fixes' secrets", () => {
  test("live: the app's verdict and problems, a missing secret's commands first, disabled versions fail", async () => {
    const { code, report } = await check(scenarioConfigYaml);
    expect(code).toBe(1);
    const missing = report.problems.find((p) => p.key === "missing:staging:netra-backend:JWT_SECRET_STAGING")!;
    expect(missing.fix!.split("\n").slice(0, 2)).toEqual([
      "gcloud secrets create jwt-secret-staging --project=netra-staging --replication-policy=automatic",
      "gcloud secrets versions add jwt-secret-staging --project=netra-staging --data-file=-",
    ]);
    const disabled = report.problems.find((p) => p.key.startsWith("secret:production:"))!;
    expect(disabled.fix).toBe(
      "gcloud secrets versions enable 3 --secret=jwt-secret-production --project=netra-production",
    );

    // The app's path: the same gather, with the clients the app builds.
    const parsed = parseConfigText(scenarioConfigYaml, "x");
    if (!parsed.ok) throw new Error("config");
    const checks = resolveRequirements(parsed.config, { title: "", body: null });
    const run = createCloudRunClients(cloudRun.address);
    const secrets = createSecretManagerClients(sm.address);
    try {
      const live = await gatherLiveState(parsed.config, {
        probe: probeHealth,
        fetchLive: (targets) => fetchLiveState(run, targets),
        readSnapshot: async () => undefined,
        fetchSecrets: (uses) => fetchSecretFacts(secrets, uses),
        checks,
        evaluateOptions: { servicePairs: parsed.config.service_pairs },
      });
      const app = evaluate(checks, live, { servicePairs: parsed.config.service_pairs });
      expect(report.verdict).toBe(app.verdict);
      expect(report.problems.map((p) => [p.key, p.fix, p.verified])).toEqual(
        app.problems.map((p) => [p.key, p.fix, p.verified]),
      );
    } finally {
      await run.close();
      await secrets.close();
    }
  });

  test("a snapshot environment makes no live call and its fixes say so; the live one is verified", async () => {
    const config = scenarioConfigYaml.replace(
      "services: [netra-backend, auth-service]",
      "services: [netra-backend, auth-service]\n    snapshot: staging.yaml",
    );
    const { code, report } = await check(config);
    expect(code).toBe(1);
    expect(JSON.stringify(sm.calls)).not.toContain("netra-staging");
    expect(JSON.stringify(cloudRun.calls)).not.toContain("netra-staging");
    const missing = report.problems.find((p) => p.key === "missing:staging:netra-backend:JWT_SECRET_STAGING")!;
    expect(missing.verified).toBe(
      "❔ not verified: this environment is read from a snapshot, and the check makes no live call for it",
    );
    expect(report.problems.map((p) => p.key)).toContain(
      report.problems.find((p) => p.key.startsWith("secret:production:"))!.key,
    );
  });
});
