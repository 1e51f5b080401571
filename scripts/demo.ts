/**
 * `npm run demo`: the whole triage of the canonical scenario (issue #930), locally and for real.
 *
 * It starts the app's real server (`src/main.ts`, as `npm start` does) in a child process, a GitHub stand-in on
 * loopback that keeps issues in memory and checks every request against GitHub's OpenAPI description, and a local
 * Cloud Run gRPC server built from the protos `@google-cloud/run` ships. Then it sends a signed `issues.labeled`
 * webhook, prints what the app wrote, fixes the secret, labels again and shows the issue closing.
 * No GitHub App and no Google account are needed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startCloudRunEmulator } from "../test/support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../test/support/github-standin.js";
import { labeledPayload } from "../test/support/probot.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../test/fixtures/scenario.js";

const APP_ID = 1;
const SECRET = `demo-${randomUUID()}`;
const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;
const root = fileURLToPath(new URL("..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function rule(title: string) {
  console.log(`\n${"═".repeat(100)}\n  ${title}\n${"═".repeat(100)}`);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startApp(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; logs: string[] }> {
  const logs: string[] = [];
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => logs.push(String(d)));
  child.stderr!.on("data", (d) => logs.push(String(d)));
  const until = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (up) return { child, logs };
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the app server did not start:\n${logs.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function deliver(port: number, label: string): Promise<number> {
  const payload = labeledPayload({ ...SCENARIO_REPO, ...scenarioIssue, label });
  payload.installation.id = 1;
  const body = JSON.stringify(payload);
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  return response.status;
}

function printFollowUps(github: GitHubStandIn) {
  const parent = github.issue(FULL, scenarioIssue.number)!;
  for (const child of github.issues(FULL).filter((i) => i.parent === parent.id)) {
    console.log(`\n#${child.number}  ${child.title}`);
    console.log(`    labels: ${child.labels.join(", ")}   sub-issue of #${parent.number}   by ${child.user.login}`);
    const text = (child.body ?? "").split("\n").filter((l) => l.trim() && !l.startsWith("<!--"));
    for (const line of text.slice(0, 6)) console.log(`    │ ${line}`);
    if (text.length > 6) console.log(`    │ … (${text.length - 6} more lines)`);
  }
}

async function main() {
  const cloudRun = await startCloudRunEmulator(scenarioServices());
  const github = await startGitHubStandIn({ appId: APP_ID });
  github.addRepo(FULL, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  github.addIssue(FULL, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
  const port = await freePort();
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const app = await startApp(
    {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      CLOUD_RUN_EMULATOR_HOST: cloudRun.address,
      LOG_LEVEL: "warn",
    },
    port,
  );
  let exitCode = 0;
  try {
    rule(`1. ${FULL}#930 "${scenarioIssue.title}" is labelled triage:config (JWT_SECRET_STAGING missing on staging)`);
    const started = Date.now();
    const status = await deliver(port, "triage:config");
    const parent = () => github.issue(FULL, scenarioIssue.number)!;
    const comment = await waitFor("the diagnosis comment", () => parent().comments.find((c) => c.body.includes("config-triage:diagnosis")));
    console.log(`webhook answered ${status}; triage finished in ${((Date.now() - started) / 1000).toFixed(1)} s (Probot's GitHub write pacing included)\n`);
    console.log(comment.body.replace(/^<!--.*-->\n*/m, ""));
    rule("The follow-up issues it opened");
    printFollowUps(github);

    rule("2. The secret is set on staging (a new revision serves it) and the label is added again");
    for (const s of scenarioServices({ fixed: true }).services) cloudRun.setService(s);
    await deliver(port, "triage:config");
    await waitFor("the issue to close", () => (parent().state === "closed" ? true : undefined));
    const updated = parent().comments.find((c) => c.body.includes("config-triage:diagnosis"))!;
    console.log(`#930 is ${parent().state} (${parent().state_reason}); the same comment (id ${updated.id}) now reads:\n`);
    console.log(updated.body.replace(/^<!--.*-->\n*/m, ""));
    const children = github.issues(FULL).filter((i) => i.parent === parent().id).length;
    rule("Summary");
    console.log(`follow-ups: ${children} (none new on the second run); comments by the app on #930: ${parent().comments.length}`);
    console.log(`GitHub requests: ${github.requests.length}; requests GitHub's OpenAPI description would reject: ${github.violations.length}`);
    for (const v of github.violations) console.log(`  violation: ${v}`);
    if (github.violations.length) exitCode = 1;
  } catch (error) {
    console.error(String(error));
    console.error(app.logs.join(""));
    exitCode = 1;
  } finally {
    app.child.kill("SIGTERM");
    await github.close();
    await cloudRun.close();
  }
  process.exit(exitCode);
}

void main();
