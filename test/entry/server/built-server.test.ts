/**
 * The container's start command on the built output (`npm run build`, done once by jest's global setup), then
 * `node dist/entry/server/main.js` exactly as the Dockerfile's CMD runs it, with the env a Cloud Run deploy sets.
 * Docker itself is not available here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { privateKey } from "../../support/probot.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dockerfile = readFileSync(new URL("../../../Dockerfile", import.meta.url), "utf8");
let server: ChildProcess;
let base: string;
const logLines: string[] = [];
const METRICS_TOKEN = "m3trics-t0ken";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

beforeAll(async () => {
  // dist/ is built once for the whole run by jest's global setup (test/support/build-server.js), as `npm run build`
  // does: building it again here rewrote the files other workers' servers were starting from.
  const port = await freePort();
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
  expect(cmd).toEqual(["node", "dist/entry/server/main.js"]);
  server = spawn(process.execPath, cmd.slice(1), {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "s3cret",
      METRICS_TOKEN,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  base = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    server.stdout!.on("data", (d) => {
      buffer += d;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      logLines.push(...lines);
      if (lines.some((l) => l.includes("listening"))) resolve();
    });
    server.stderr!.on("data", (d) => process.stderr.write(d));
    server.on("exit", (code) => reject(new Error(`dist/entry/server/main.js exited with ${code}`)));
  });
}, 90_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
});

test("GET /healthz answers 200", async () => {
  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", queue: "memory" });
});

test("the log is JSON that Cloud Logging reads: severity and message", () => {
  const entry = JSON.parse(logLines.find((l) => l.includes("listening"))!);
  expect(entry).toMatchObject({
    severity: "INFO",
    message: expect.stringMatching(/^config-triage listening on http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks$/),
  });
});

test("the webhook endpoint still answers next to the routes: a wrong signature is refused (401)", async () => {
  const body = JSON.stringify({ action: "opened" });
  const res = await fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": "d1",
      "x-hub-signature-256": `sha256=${createHmac("sha256", "wrong").update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status).toBe(401);
  expect((await fetch(`${base}/nope`)).status).toBe(404);
});

test("GET /metrics without METRICS_TOKEN's bearer token is 401 (with a wrong one too)", async () => {
  expect((await fetch(`${base}/metrics`)).status).toBe(401);
  const wrong = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer m3trics-t0keN" } });
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
  expect(await wrong.text()).not.toContain("config_triage_");
});

test("GET /metrics is Prometheus text with every metric, each documented in docs/operations.md", async () => {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const name of [
    "config_triage_triages_total",
    "config_triage_triage_duration_seconds",
    "config_triage_triages_in_flight",
    "config_triage_github_requests_total",
    "config_triage_cloud_run_request_duration_seconds",
    "config_triage_queue_depth",
    "config_triage_process_cpu_seconds_total",
  ]) {
    expect(text).toContain(`# TYPE ${name}`);
  }
  const documented = readFileSync(new URL("../../../docs/operations.md", import.meta.url), "utf8");
  for (const name of text
    .match(/^# TYPE (config_triage_(?!process_|nodejs_)\w+)/gm)!
    .map((l) => l.slice(7).split(" ")[0])) {
    expect(documented).toContain(`\`${name}\``);
  }
});
