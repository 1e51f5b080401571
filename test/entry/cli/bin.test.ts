import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runNode } from "../../../dev/app-server.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { scenarioConfigYaml, scenarioServices } from "../../../dev/scenario.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
let emulator: CloudRunEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
  dir = mkdtempSync(join(tmpdir(), "config-triage-bin-"));
  mkdirSync(join(dir, ".github"));
  writeFileSync(join(dir, ".github/config-triage.yml"), scenarioConfigYaml);
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The `bin` as a user runs it in development (tsx), in another process: exit code and streams as a shell sees them. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
  return runNode(["--import", loader, join(root, "src/entry/cli/main.ts"), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, CLOUD_RUN_EMULATOR_HOST: emulator.address },
  });
}

test("config-triage check as a process: exit 1 on the scenario, the report on stdout, progress on stderr", async () => {
  const { code, stdout, stderr } = await cli(["check", "--env", "staging"]);
  expect(stderr).toMatch(/^config-triage: checking 2 services…\nconfig-triage: checked 2 services in \d+\.\d s\n$/);
  expect(code).toBe(1);
  expect(stdout).toContain("FAIL: 1 problem in 2 checks on 2 services");
});

test("config-triage with no command prints the usage on stderr and exits 2", async () => {
  const { code, stdout, stderr } = await cli([]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/^Usage: config-triage \[options\] \[command\]/);
});
