import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../../dev/github-standin.js";
import { labeledPayload } from "../../../dev/webhook-payloads.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

// The committed Action bundle (action/dist/main.mjs), run as the runner runs a `node24` action: `node` on the file
// `runs.main` names, with the environment GitHub Actions sets (INPUT_<NAME> with its hyphens, GITHUB_EVENT_NAME,
// GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_API_URL, ...), against the GitHub stand-in (whose
// unknown tokens act as the app named here: github-actions) and the Cloud Run emulator.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const action = parse(readFileSync(join(root, "action.yml"), "utf8"));
const OWNER = "netra-systems";
const CONFIG = ".github/triage/config.yml";
let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let dir: string;

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: 15368, appSlug: "github-actions" });
  dir = mkdtempSync(join(tmpdir(), "config-triage-bundle-"));
});

afterAll(async () => {
  await github.close();
  await cloudRun.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => expect(github.violations).toEqual([]));

function addRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, {
    files: { [CONFIG]: scenarioConfigYaml },
    collaborators: { "sre-lead": "maintain" },
  });
  github.addIssue(`${OWNER}/${repo}`, {
    number: scenarioIssue.number,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "sre-lead", type: "User" },
  });
}

/** Runs the bundle on one event with the given inputs; returns the exit code, stdout, the outputs and the summary. */
function runBundle(repo: string, inputs: Record<string, string>) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  const { installation: _, ...event } = payload as Record<string, unknown>;
  const files = {
    event: join(dir, `${repo}-event.json`),
    output: join(dir, `${repo}-output`),
    summary: join(dir, `${repo}-summary.md`),
  };
  writeFileSync(files.event, JSON.stringify(event));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "issues",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: `${OWNER}/${repo}`,
    GITHUB_RUN_ID: "4242",
    GITHUB_ACTION_PATH: root,
    CLOUD_RUN_EMULATOR_HOST: cloudRun.address,
    CLOUD_RUN_TIMEOUT_MS: "5000",
  };
  // The runner passes every declared input, with its default when the workflow gives none.
  for (const [name, spec] of Object.entries(action.inputs as Record<string, { default?: string }>)) {
    env[`INPUT_${name.toUpperCase()}`] =
      { "log-level": "warn", "marker-key": "bundle-test-marker-key", ...inputs }[name] ??
      (String(spec.default ?? "").includes("${{") ? "" : String(spec.default ?? ""));
  }
  return new Promise<{ code: number | null; stdout: string; outputs: Record<string, string>; summary: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [join(root, action.runs.main)], {
        env,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const outputs: Record<string, string> = {};
        for (const m of readFileSync(files.output, "utf8").matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2\n/gm))
          outputs[m[1]] = m[3];
        resolve({ code, stdout, outputs, summary: readFileSync(files.summary, "utf8") });
      });
    },
  );
}

test("action.yml: node24 on the committed bundle, with the documented inputs and outputs", () => {
  expect(action.runs).toEqual({ using: "node24", main: "action/dist/main.mjs" });
  expect(Object.keys(action.inputs)).toEqual(["github-token", "config-path", "dry-run", "marker-key", "log-level"]);
  expect(Object.keys(action.outputs)).toEqual(["verdict", "comment-url", "follow-ups"]);
});

test("issues.labeled with config-path: the bundle triages the scenario, writes outputs and a job summary", async () => {
  addRepo("bundle-run");
  const { code, stdout, outputs, summary } = await runBundle("bundle-run", {
    "github-token": "ghs_workflow",
    "config-path": CONFIG,
  });
  expect(stdout).toBe("config-triage: triage finished: fail\n");
  expect(code).toBe(0);
  const parent = github.issue(`${OWNER}/bundle-run`, scenarioIssue.number)!;
  const comment = parent.comments.find((c) => c.user.login === "github-actions[bot]")!;
  expect(comment.body).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  const followUps = github
    .issues(`${OWNER}/bundle-run`)
    .filter((i) => i.parent === parent.id)
    .map((i) => i.number);
  expect(followUps).toHaveLength(4);
  expect(outputs).toEqual({
    verdict: "fail",
    "comment-url":
      `https://github.example/${OWNER}/bundle-run/issues/${scenarioIssue.number}#` + `issuecomment-${comment.id}`,
    "follow-ups": JSON.stringify(followUps),
  });
  expect(summary).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  expect(summary).toContain(`[The comment on #${scenarioIssue.number}](${outputs["comment-url"]})`);
  // Its markers carry the marker-key's signature, and the next run trusts them: same comment, no follow-up twice.
  expect(comment.body).toMatch(/<!-- config-triage:diagnosis \{[^\n]*\} sig=[0-9a-f]{64} -->/);
  const again = await runBundle("bundle-run", { "github-token": "ghs_workflow", "config-path": CONFIG });
  expect(again.code).toBe(0);
  const after = github.issue(`${OWNER}/bundle-run`, scenarioIssue.number)!;
  expect(after.comments.filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(1);
  expect(github.issues(`${OWNER}/bundle-run`).filter((i) => i.parent === parent.id)).toHaveLength(4);
}, 120_000);

test("dry-run: the summary says what the triage would write, and nothing is written", async () => {
  addRepo("bundle-dry");
  const before = github.requests.filter((r) => r.method !== "GET").length;
  const { code, stdout, outputs, summary } = await runBundle("bundle-dry", {
    "github-token": "ghs_workflow",
    "config-path": CONFIG,
    "dry-run": "true",
  });
  expect(code).toBe(0);
  expect(stdout).toBe("config-triage: dry run: fail; the triage would write to the issue\n");
  expect(outputs).toEqual({ verdict: "fail", "comment-url": "", "follow-ups": "[]" });
  expect(summary).toMatch(
    /^### Dry run: nothing was written\n\n- Would comment the diagnosis\.\n- Would open 4 follow-up issues/,
  );
  expect(summary).toContain("| `netra-backend` | `JWT_SECRET_STAGING` | ❌ missing |");
  expect(github.requests.filter((r) => r.method !== "GET").length).toBe(before);
  expect(github.issue(`${OWNER}/bundle-dry`, scenarioIssue.number)!.comments).toEqual([]);
}, 120_000);

test("the committed bundle is what scripts/build-action.ts builds from the sources now", async () => {
  const fresh = join(dir, "fresh/main.mjs");
  await new Promise<void>((resolve, reject) => {
    const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
    const child = spawn(process.execPath, ["--import", tsx, join(root, "scripts/build-action.ts"), fresh], {
      cwd: root,
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`build-action exited ${code}`))));
  });
  const same = readFileSync(fresh).equals(readFileSync(join(root, action.runs.main)));
  // When this fails: npm run build:action, and commit action/dist/.
  expect(same ? "up to date" : "action/dist/main.mjs is stale: run npm run build:action and commit it").toBe(
    "up to date",
  );
}, 120_000);
