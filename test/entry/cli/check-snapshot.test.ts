/**
 * `config-triage check` in a checkout: an environment's `snapshot:` is read from the local file (relative to the
 * repository root, else to the config file's directory), not through the GitHub API; the other environments live from
 * the Cloud Run emulator.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIO } from "../../../src/entry/cli/cli-io.js";
import { runCli } from "../../../src/entry/cli/run-cli.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { scenarioConfigYaml, scenarioServices } from "../../../dev/scenario.js";

/** `gcloud run services describe --format yaml` of staging's two services; its literal carries a planted value. */
const STAGING_YAML = readFileSync(new URL("../../fixtures/snapshots/staging.yaml", import.meta.url), "utf8");
const PLANTED = "pl4nted";

let emulator: CloudRunEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "config-triage-snapshot-"));
  emulator.calls.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The scenario's config, with staging read from `snapshot`. */
function configWithSnapshot(snapshot: string): string {
  return scenarioConfigYaml.replace(
    "services: [netra-backend, auth-service]",
    `services: [netra-backend, auth-service]\n    snapshot: ${snapshot}`,
  );
}

function write(path: string, text: string) {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
}

async function run(args: string[]) {
  const out = { stdout: "", stderr: "" };
  const io: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    stderrIsTTY: false,
    env: { CLOUD_RUN_EMULATOR_HOST: emulator.address, CLOUD_RUN_TIMEOUT_MS: "5000" },
    cwd: dir,
  };
  const code = await runCli(args, io);
  expect(out.stdout + out.stderr).not.toContain(PLANTED);
  return { code, ...out };
}

/** Only production was read from Cloud Run. */
function expectOnlyProductionLive() {
  const names = emulator.calls.map((c) => String(c.request.parent ?? c.request.name));
  expect(names.length).toBeGreaterThan(0);
  expect(names.every((n) => n.startsWith("projects/netra-production/"))).toBe(true);
}

describe("config-triage check with snapshot: in a checkout", () => {
  test("reads the snapshot relative to the repository root, dated by its last commit", async () => {
    write(".github/config-triage.yml", configWithSnapshot("ops/cloud-run/staging.yaml"));
    write("ops/cloud-run/staging.yaml", STAGING_YAML);
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: dir,
        env: { ...process.env, GIT_COMMITTER_DATE: "2025-02-20T10:00:00Z", GIT_AUTHOR_DATE: "2025-02-20T10:00:00Z" },
      });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "snapshot");

    const { code, stdout } = await run(["check"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/staging\s+netra-backend\s+JWT_SECRET_STAGING\s+MISSING/);
    expect(stdout).toContain("did you mean JWT_SECRET_STAGIN, which is set?");
    expect(stdout).toMatch(
      /not live: read from the snapshot ops\/cloud-run\/staging\.yaml \(taken 2025-02-20, \d+ days old\)/,
    );
    expectOnlyProductionLive();
  });

  test("without git: the folder above .github is the root, and the file's modification time dates it", async () => {
    write(".github/config-triage.yml", configWithSnapshot("ops/staging.yaml"));
    write("ops/staging.yaml", STAGING_YAML);
    utimesSync(join(dir, "ops/staging.yaml"), new Date("2024-12-01T00:00:00Z"), new Date("2024-12-01T00:00:00Z"));
    const { stdout } = await run(["check", "--format", "json"]);
    const report = JSON.parse(stdout);
    expect(report.snapshots).toEqual([{ file: "ops/staging.yaml", takenAt: "2024-12-01T00:00:00.000Z" }]);
    expect(report.problems.map((p: { key: string }) => p.key)).toContain(
      "missing:staging:netra-backend:JWT_SECRET_STAGING",
    );
    expectOnlyProductionLive();
  });

  test("--config elsewhere: a path relative to the config file's directory is found too", async () => {
    write("deploy/config-triage.yml", configWithSnapshot("staging.yaml"));
    write("deploy/staging.yaml", STAGING_YAML);
    const { stdout } = await run(["check", "--config", "deploy/config-triage.yml", "--format", "markdown"]);
    expect(stdout).toContain("> 📄 Not live: read from the snapshot `staging.yaml` (taken ");
    expect(stdout).toContain("| `netra-backend` | `JWT_SECRET_STAGING` | ❌ missing |");
    expectOnlyProductionLive();
  });

  test("a snapshot not in the checkout: could not check, naming the config key, the path, where it looks", async () => {
    write(".github/config-triage.yml", configWithSnapshot("ops/missing.yaml"));
    const { code, stdout } = await run(["check", "--env", "staging"]);
    expect(code).toBe(2);
    expect(stdout).toContain("could not check staging / netra-backend: the snapshot file cannot be used");
    expect(stdout).toContain(
      `\`environments.staging.snapshot\` in \`.github/config-triage.yml\` names \`ops/missing.yaml\`, which does not ` +
        `exist in the checkout (looked under ${dir} and ${join(dir, ".github")})`,
    );
    expect(emulator.calls).toEqual([]);
  });
});
