import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../src/entry/cli/run-cli.js";
import type { CliIO } from "../../../src/entry/cli/cli-io.js";
import { GrpcStatus, startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { PLANTED_VALUES, scenarioConfigYaml, scenarioServices } from "../../../dev/scenario.js";

let emulator: CloudRunEmulator;
let dir: string;

function io(extra: Partial<CliIO> = {}) {
  const out = { stdout: "", stderr: "" };
  const value: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    stderrIsTTY: false,
    env: { CLOUD_RUN_EMULATOR_HOST: emulator.address, CLOUD_RUN_TIMEOUT_MS: "5000" },
    cwd: dir,
    ...extra,
  };
  return { io: value, out };
}

async function run(args: string[], extra: Partial<CliIO> = {}) {
  const { io: value, out } = io(extra);
  const code = await runCli(args, value);
  for (const planted of PLANTED_VALUES) expect(out.stdout + out.stderr).not.toContain(planted);
  return { code, ...out };
}

function writeConfig(text: string, path = ".github/config-triage.yml") {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
}

beforeAll(async () => {
  emulator = await startCloudRunEmulator(scenarioServices());
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "config-triage-cli-"));
  writeConfig(scenarioConfigYaml);
  emulator.clearFaults();
  for (const s of scenarioServices().services) emulator.setService(s);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("config-triage check", () => {
  test("scenario: JWT_SECRET_STAGING missing on staging's backend -> exit 1, table with the fix", async () => {
    const { code, stdout, stderr } = await run(["check"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/staging\s+netra-backend\s+JWT_SECRET_STAGING\s+MISSING/);
    expect(stdout).toMatch(/production\s+netra-backend\s+JWT_SECRET_PRODUCTION\s+ok\s+secret jwt-secret-production:3/);
    expect(stdout).toContain(
      "fix: gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    );
    expect(stdout).toContain("FAIL: 1 problem in 4 checks on 4 services");
    expect(stderr).toBe(`config-triage: checking 4 services…\n${stderr.split("\n")[1]}\n`);
    expect(stderr).toMatch(/checked 4 services in \d+\.\d s/);
  });

  test("--env production passes -> exit 0, and only production was read", async () => {
    const before = emulator.calls.length;
    const { code, stdout } = await run(["check", "--env", "production"]);
    expect(code).toBe(0);
    expect(stdout).toContain("PASS: 2 checks on 2 services, every check passes");
    expect(stdout).not.toContain("staging");
    const names = emulator.calls.slice(before).map((c) => String(c.request.name ?? c.request.parent));
    expect(names.every((n) => n.startsWith("projects/netra-production/"))).toBe(true);
  });

  test("the fixed scenario passes -> exit 0", async () => {
    for (const s of scenarioServices({ fixed: true }).services) emulator.setService(s);
    expect((await run(["check"])).code).toBe(0);
  });

  test("a service that cannot be read -> exit 2, with the IAM fix", async () => {
    emulator.addFault({
      name: "projects/netra-production",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "Permission 'run.services.get' denied",
    });
    const { code, stdout } = await run(["check", "--env", "production"]);
    expect(code).toBe(2);
    expect(stdout).toContain("CANNOT CHECK: 2 services could not be checked");
    expect(stdout).toContain("--role=roles/run.viewer");
  });

  test("a failure wins over a service that cannot be read -> exit 1", async () => {
    emulator.addFault({ name: "projects/netra-production", code: GrpcStatus.PERMISSION_DENIED, details: "denied" });
    const { code, stdout } = await run(["check"]);
    expect(code).toBe(1);
    expect(stdout).toContain("FAIL: 1 problem in 4 checks on 4 services; 2 services could not be checked");
  });

  test("--format json is the diagnosis as data, with the exit code", async () => {
    const { code, stdout } = await run(["check", "--format", "json"]);
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.verdict).toBe("fail");
    expect(report.exitCode).toBe(1);
    expect(report.results).toHaveLength(4);
    expect(
      report.problems.filter((p: { severity: string }) => p.severity !== "warn").map((p: { key: string }) => p.key),
    ).toEqual(["missing:staging:netra-backend:JWT_SECRET_STAGING"]);
  });

  test("--format markdown is the diagnosis as the app comments it (without the hidden marker)", async () => {
    const { stdout } = await run(["check", "--format", "markdown"]);
    expect(stdout).toMatch(/^### ❌ config-triage: 1 problem found/);
    expect(stdout).toContain("| `netra-backend` | `JWT_SECRET_STAGING` | ❌ missing |");
    expect(stdout).not.toContain("<!--");
  });

  test("on a terminal, the progress line is redrawn in place and cleared", async () => {
    const { stderr } = await run(["check"], { stderrIsTTY: true });
    expect(stderr).toContain("\r\x1b[Kchecking 1/4 services…");
    expect(stderr).toContain("\r\x1b[Kchecking 4/4 services…");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI escape sequence starts with ESC
    expect(stderr).toMatch(/\r\x1b\[Kconfig-triage: checked 4 services in/);
  });

  test.each([
    [
      "invalid config: file:line:column, exit 2",
      ["check"],
      "environments:\n  staging:\n    project: p\n    regoin: x\n    services: [a]\n",
      /\.github\/config-triage\.yml:4:5: unknown key `regoin` in `environments.staging`: did you mean `region`\?/,
    ],
    [
      "YAML that does not parse",
      ["check"],
      "environments: [\n",
      /\.github\/config-triage\.yml:2:1: the YAML does not parse/,
    ],
    [
      "unknown environment",
      ["check", "--env", "stagin"],
      undefined,
      new RegExp(
        String.raw`--env stagin: no such environment in .github\/config-triage.yml ` +
          String.raw`\(did you mean staging\? the environments are staging, production\)`,
      ),
    ],
    [
      "unknown format",
      ["check", "--format", "xml"],
      undefined,
      /argument 'xml' is invalid\. Allowed choices are table, json, markdown/,
    ],
    ["unknown option", ["check", "--verbose"], undefined, /unknown option '--verbose'\n.*config-triage help COMMAND/s],
    ["unknown command", ["chek"], undefined, /unknown command 'chek'\n\(Did you mean check\?\)/],
    ["option of another command", ["check", "--issue", "a/b#1"], undefined, /unknown option '--issue'/],
    [
      "missing config file",
      ["check", "--config", "nope.yml"],
      undefined,
      /nope\.yml: no such file\. Run config-triage in the repository's root, or pass --config PATH/,
    ],
    [
      "nothing to check",
      ["check"],
      "environments:\n  staging: { project: p, region: r, services: [a] }\n",
      /NOTHING TO CHECK/,
    ],
  ])("%s", async (_name, args, config, message) => {
    if (config) writeConfig(config);
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout + stderr).toMatch(message);
  });
});

describe("a user's mistakes: exit 2, one clear line on stderr, never a stack trace", () => {
  const badYaml = "environments: [\n";
  test.each<[string, string[], Partial<CliIO["env"]>, string | undefined, RegExp]>([
    [
      "CLOUD_RUN_EMULATOR_HOST without a port",
      ["check"],
      { CLOUD_RUN_EMULATOR_HOST: "localhost" },
      undefined,
      /^config-triage: CLOUD_RUN_EMULATOR_HOST must be host:port \(for example 127\.0\.0\.1:8085\), got "localhost"\n$/,
    ],
    [
      "an unknown command",
      ["chek"],
      {},
      undefined,
      /^config-triage: unknown command 'chek'\n\(Did you mean check\?\)\n/,
    ],
    ["an unknown flag", ["validate", "--verbose"], {}, undefined, /^config-triage: unknown option '--verbose'\n/],
    [
      "a flag without its value",
      ["check", "--env"],
      {},
      undefined,
      /^config-triage: option '--env <name>' argument missing\n/,
    ],
    [
      "a missing file",
      ["validate", "--config", "nope.yml"],
      {},
      undefined,
      /^config-triage: nope\.yml: no such file\. Run config-triage in the repository's root/,
    ],
    [
      "bad YAML (check)",
      ["check"],
      {},
      badYaml,
      new RegExp(
        String.raw`^\.github\/config-triage\.yml:2:1: the YAML does not parse: .*\n` +
          String.raw`config-triage: \.github\/config-triage\.yml is not valid; nothing was checked\n$`,
      ),
    ],
    [
      "a bad issue reference",
      ["plan", "--issue", "acme/api/1"],
      { GITHUB_TOKEN: "x" },
      undefined,
      /^config-triage: --issue acme\/api\/1: expected OWNER\/REPO#NUMBER/,
    ],
    [
      "plan without a token",
      ["plan", "--issue", "acme/api#1"],
      {},
      undefined,
      /^config-triage: plan reads the repository with a token: set GITHUB_TOKEN/,
    ],
    ["no command", [], {}, undefined, /^Usage: config-triage \[options\] \[command\]/],
  ])("%s", async (_name, args, env, config, message) => {
    if (config) writeConfig(config);
    const { code, stdout, stderr } = await run(args, { env: { CLOUD_RUN_EMULATOR_HOST: emulator.address, ...env } });
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  test("bad YAML in validate is a problem found: exit 1, the problem on stdout", async () => {
    writeConfig("environments: [\n");
    const { code, stdout, stderr } = await run(["validate"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\.github\/config-triage\.yml:2:1: the YAML does not parse/);
    expect(stderr).toBe("config-triage: 1 problem found\n");
  });
});

describe("help and version", () => {
  const version = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version;
  test.each([
    ["--version", ["--version"], new RegExp(`^${version.replace(/\./g, "\\.")}\n$`)],
    ["-V", ["-V"], new RegExp(`^${version.replace(/\./g, "\\.")}\n$`)],
    [
      "help",
      ["help"],
      new RegExp(
        String.raw`^Usage: config-triage \[options\] \[command\][\s\S]*check[\s\S]*validate[\s\S]*plan[\s\S]*` +
          String.raw`Exit codes:\n {2}0 {2}done, nothing to act on`,
      ),
    ],
    [
      "help check",
      ["help", "check"],
      new RegExp(
        String.raw`^Usage: config-triage check \[options\][\s\S]*--env <name>[\s\S]*` +
          "Exit code: 0 every check passes, 1 something fails, 2 could not check",
      ),
    ],
    ["check --help", ["check", "--help"], /^Usage: config-triage check \[options\][\s\S]*--env <name>/],
    [
      "plan -h",
      ["plan", "-h"],
      /^Usage: config-triage plan \[options\][\s\S]*--issue <ref>[\s\S]*1 it would write something/,
    ],
    ["help validate", ["help", "validate"], /^Usage: config-triage validate \[options\][\s\S]*--format <format>/],
  ])("%s: on stdout, exit 0", async (_name, args, expected) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(expected);
  });
});

describe("config-triage validate", () => {
  test("the scenario's config and the built-in templates are valid -> exit 0", async () => {
    const { code, stdout } = await run(["validate"]);
    expect(code).toBe(0);
    expect(stdout).toBe(".github/config-triage.yml and 4 templates are valid\n");
  });

  test("a broken template, an unknown follow-up and a config mistake, each at its line -> exit 1", async () => {
    writeConfig(scenarioConfigYaml.replace("  - health-monitoring", "  - health-monitorin\n  - runbook"));
    writeConfig(
      "---\ntitle: Runbook for {{parent.number}}\nwhen: failing\n---\nSee {{parent.titel}}.\n",
      ".github/config-triage/runbook.md",
    );
    writeConfig("---\ntitle: x\nlabel: [a]\n---\nbody\n", ".github/config-triage/broken.md");
    const { code, stdout } = await run(["validate"]);
    expect(code).toBe(1);
    expect(stdout.trim().split("\n")).toEqual([
      ".github/config-triage/broken.md:3: unknown front matter key `label`: did you mean `labels`?",
      ".github/config-triage/runbook.md:5: the body: unknown placeholder `parent.titel`: did you mean `parent.title`?",
      ".github/config-triage.yml:28:5: no template `health-monitorin`: add " +
        "`.github/config-triage/health-monitorin.md`, or use one of `flow-documentation`, `health-monitoring`, " +
        "`immediate-fix`, `ssot-consolidation`, `runbook`",
    ]);
  });

  test("--format github prints workflow-command annotations", async () => {
    writeConfig("environments:\n  staging:\n    project: p\n    regoin: x\n    services: [a]\n");
    const { code, stdout } = await run(["validate", "--format", "github"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^::error file=\.github\/config-triage\.yml,line=4,col=5::unknown key `regoin`/m);
  });
});
