/**
 * Secret values never leave the process. Every Cloud Run service of the scenario carries literal values planted for
 * this test (PLANTED_VALUES); across every scenario the app and the CLI know, none of them may appear in any request to
 * GitHub (URL, headers, body) or any log line (the production JSON logger at `trace`), or the CLI's output.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/entry/cli/run-cli.js";
import { createMemoryRateLimitStore } from "../../src/adapters/rate-limits/rate-limit-store.js";
import { GrpcStatus } from "../../dev/cloud-run-emulator.js";
import type { StandInIssue } from "../../dev/github-standin.js";
import {
  addScenarioRepo,
  FULL,
  labeledEvent,
  postCommand,
  startStandInApp,
  type StandInApp,
} from "../support/standin-app.js";
import { PLANTED_VALUES, plantedScenarioServices, scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";

let app: StandInApp;

beforeAll(async () => {
  app = await startStandInApp();
  addScenarioRepo(app);
});
afterAll(() => app.close());

interface Setup {
  config?: string;
  files?: Record<string, string | null>;
  fixed?: boolean;
  cannotCheck?: boolean;
}

/** A fresh issue on the scenario repository, with the config, files and Cloud Run state the case asks for. */
function prepare(o: Setup = {}): StandInIssue {
  const { standIn, emulator } = app;
  standIn.setFile(FULL, ".github/config-triage.yml", o.config ?? scenarioConfigYaml);
  standIn.setFile(FULL, ".github/config-triage/immediate-fix.md", null);
  for (const [path, text] of Object.entries(o.files ?? {})) standIn.setFile(FULL, path, text);
  emulator.clearFaults();
  const planted = plantedScenarioServices({ fixed: o.fixed });
  for (const s of planted.services) emulator.setService(s);
  for (const r of planted.revisions) emulator.setRevision(r);
  if (o.cannotCheck)
    emulator.addFault({
      name: "projects/netra-production",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "Permission 'run.services.get' denied",
    });
  return standIn.addIssue(FULL, {
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "maintainer", type: "User" },
  });
}

/** The app's first follow-up of `issue` (after a label triage). */
function followUpOf(issue: StandInIssue): StandInIssue {
  const id = app.standIn.issue(FULL, issue.number)!.sub_issues[0];
  return app.standIn.issues(FULL).find((i) => i.id === id)!;
}

const BROKEN_TEMPLATE = "---\ntitle: Fix {{#each}}\n---\nbody\n";

type Case = [name: string, setup: Setup, run: (issue: StandInIssue) => Promise<void>];

const label =
  (sender = "maintainer") =>
  (issue: StandInIssue) =>
    app.probot().receive(labeledEvent(issue, { sender }));
const commands =
  (...lines: Array<[string, string?]>) =>
  async (issue: StandInIssue) => {
    const probot = app.probot();
    await probot.receive(labeledEvent(issue));
    for (const [body, login] of lines)
      await probot.receive(postCommand(app, app.standIn.issue(FULL, issue.number)!, body, login));
  };

const cases: Case[] = [
  ["label triage, a check failing (follow-ups opened)", {}, label()],
  ["label triage, every check passing (issue closed)", { fixed: true }, label()],
  [
    "label triage, config error",
    { config: scenarioConfigYaml.replace("region: us-central1", "regoin: us-central1") },
    label(),
  ],
  ["label triage, template error", { files: { ".github/config-triage/immediate-fix.md": BROKEN_TEMPLATE } }, label()],
  ["label triage, cannot check (PERMISSION_DENIED on production)", { cannotCheck: true }, label()],
  ["label from a stranger (refused)", {}, label("stranger")],
  ["/triage recheck", {}, commands(["/triage recheck"])],
  [
    "/triage plan then /triage apply",
    { config: `${scenarioConfigYaml}mode: review\n` },
    async (issue) => {
      const probot = app.probot();
      await probot.receive(labeledEvent(issue));
      await probot.receive(postCommand(app, issue, "/triage plan"));
      await probot.receive(postCommand(app, app.standIn.issue(FULL, issue.number)!, "/triage apply", "writer"));
    },
  ],
  ["/triage close then /triage reopen", {}, commands(["/triage close", "writer"], ["/triage reopen", "writer"])],
  ["/triage help", {}, commands(["/triage help", "stranger"])],
  [
    "/triage approve and /triage reject on follow-ups",
    {},
    async (issue) => {
      await label()(issue);
      const probot = app.probot();
      const follow = followUpOf(issue);
      await probot.receive(postCommand(app, follow, "/triage approve", "writer"));
      await probot.receive(
        postCommand(app, app.standIn.issue(FULL, follow.number)!, "/triage reject not needed", "writer"),
      );
    },
  ],
  [
    "a command refused for its role, and an unknown command",
    {},
    commands(["/triage apply", "maintainer"], ["/triage frobnicate"]),
  ],
  [
    "rate limit hit (label and command)",
    { config: `${scenarioConfigYaml}max_triages_per_hour: 1\n` },
    async (issue) => {
      const probot = app.probot({ rateLimits: createMemoryRateLimitStore() });
      await probot.receive(labeledEvent(issue));
      await probot.receive(labeledEvent(issue));
      await probot.receive(postCommand(app, issue, "/triage recheck"));
    },
  ],
];

/** Everything that left the process since `from`: each request's method, URL, headers and body, and each log line. */
function outbound(from: { requests: number; logs: number }): string[] {
  const requests = app.standIn.requests
    .slice(from.requests)
    .map((r) =>
      JSON.stringify({ method: r.method, path: r.rawPath, query: r.query, headers: r.headers, body: r.body }),
    );
  return [...requests, ...app.logs.slice(from.logs)];
}

function expectNoPlantedValue(texts: string[]) {
  const leaks = texts.flatMap((t) =>
    PLANTED_VALUES.filter((v) => t.includes(v)).map((v) => `${v} in ${t.slice(0, 300)}`),
  );
  expect(leaks).toEqual([]);
}

test("every Cloud Run service of the scenario carries planted values (the test below has something to find)", () => {
  const { services, revisions } = plantedScenarioServices();
  for (const s of [...services, ...revisions])
    expect(PLANTED_VALUES.some((v) => JSON.stringify(s).includes(v))).toBe(true);
  for (const v of PLANTED_VALUES) expect(JSON.stringify(services)).toContain(v);
});

test.each(cases)("%s: no planted value in any request to GitHub or any log line", async (_name, setup, run) => {
  const from = { requests: app.standIn.requests.length, logs: app.logs.length };
  const calls = app.emulator.calls.length;
  await run(prepare(setup));
  const sent = outbound(from);
  // The case did run: the app talked to GitHub, logged, and (except the refusals and errors) read Cloud Run.
  expect(app.standIn.requests.length).toBeGreaterThan(from.requests);
  expect(app.logs.length).toBeGreaterThan(from.logs);
  if (!/config error|template error|stranger/.test(_name)) expect(app.emulator.calls.length).toBeGreaterThan(calls);
  expect(sent.some((line) => line.includes('"severity":'))).toBe(true);
  expectNoPlantedValue(sent);
  expect(app.standIn.violations).toEqual([]);
});

describe("the CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "config-triage-secrets-"));
    mkdirSync(join(dir, ".github"), { recursive: true });
    writeFileSync(join(dir, ".github/config-triage.yml"), scenarioConfigYaml);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each<[string, string[]]>([
    ["check", ["check"]],
    ["check --format json", ["check", "--format", "json"]],
    ["validate", ["validate"]],
    ["plan", ["plan", "--issue", `${FULL}#ISSUE`]],
    ["plan --format json", ["plan", "--issue", `${FULL}#ISSUE`, "--format", "json"]],
  ])("config-triage %s: no planted value in its output or its requests", async (_name, args) => {
    const issue = prepare();
    const from = { requests: app.standIn.requests.length, logs: app.logs.length };
    let output = "";
    const code = await runCli(
      args.map((a) => a.replace("ISSUE", String(issue.number))),
      {
        stdout: (t) => void (output += t),
        stderr: (t) => void (output += t),
        stderrIsTTY: false,
        env: {
          CLOUD_RUN_EMULATOR_HOST: app.emulator.address,
          CLOUD_RUN_TIMEOUT_MS: "5000",
          GITHUB_API_URL: app.standIn.url,
          GITHUB_TOKEN: "ghs_cli",
        },
        cwd: dir,
      },
    );
    // It did its work: a check names the variables; validate only reads the file.
    if (args[0] !== "validate") expect(output).toContain("JWT_SECRET_STAGING");
    expect(code).not.toBe(2);
    expectNoPlantedValue([output, ...outbound(from)]);
  });
});
