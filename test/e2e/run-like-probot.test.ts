/**
 * `npm start` as a Probot app's users run it: the built server in a working directory of their own, whose `.env`
 * holds the app's settings (the environment still wins), a "listening on" line at the default log level, deliveries
 * relayed by smee (WEBHOOK_PROXY_URL; here a server-sent-events stand-in on loopback that sends one delivery, as
 * smee.io does), and every bad setting reported at once by its variable name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signBody } from "../../src/entry/server/verify-signature.js";
import {
  freePort,
  randomUUID,
  root,
  runNode,
  startApp,
  throwawayPrivateKey,
  waitFor,
  type AppProcess,
} from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

const e2e = useE2E({ appId: 47 });
const { addRepo, labeled, appComments } = e2e;
let cwd: string;
let relay: Server;
const streams: ServerResponse[] = [];
const secret = `dotenv-${randomUUID()}`;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "config-triage-start-"));
});

afterAll(async () => {
  for (const stream of streams) stream.end();
  relay?.closeAllConnections();
  await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  rmSync(cwd, { recursive: true, force: true });
});

/** A smee.io channel on loopback: one text/event-stream per client; `send` relays a delivery as smee.io does. */
async function startRelay(): Promise<{
  url: string;
  connected: Promise<void>;
  send(event: string, payload: unknown): void;
}> {
  let opened!: () => void;
  const connected = new Promise<void>((resolve) => (opened = resolve));
  relay = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/channel") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write("event: ready\ndata: {}\n\n");
    streams.push(res);
    opened();
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/channel`,
    connected,
    send(event, payload) {
      // smee.io's message: the delivery's headers as fields, the parsed JSON body under `body`, and the query.
      const body = JSON.stringify(payload);
      const data = {
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signBody(secret, body),
        body: payload,
        query: {},
      };
      for (const stream of streams) stream.write(`data: ${JSON.stringify(data)}\n\n`);
    },
  };
}

it("reads .env from its cwd, says where it listens, triages a delivery relayed by WEBHOOK_PROXY_URL", async () => {
  const smee = await startRelay();
  writeFileSync(join(cwd, "app.pem"), throwawayPrivateKey());
  const port = await freePort();
  writeFileSync(
    join(cwd, ".env"),
    [
      "# as copied from .env.example and filled in",
      `APP_ID=${e2e.github.appId}`,
      "PRIVATE_KEY_PATH=app.pem",
      `WEBHOOK_SECRET=${secret}`,
      `WEBHOOK_PROXY_URL=${smee.url}`,
      `GHE_HOST=${e2e.github.host}`,
      "GHE_PROTOCOL=http",
      `CLOUD_RUN_EMULATOR_HOST=${e2e.cloudRun.address}`,
      "CONFIG_TRIAGE_ALLOWED_PROJECTS=netra-systems=netra-staging,netra-production",
      "PORT=1", // the environment's PORT wins over this one
      "",
    ].join("\n"),
  );
  // Only what a shell would have: PATH, HOST and PORT (the harness's), and no LOG_LEVEL (the default level).
  const app = await startApp({ cwd, env: { NO_PROXY: "127.0.0.1,localhost" }, port });
  try {
    await relayedTriage(app, smee, port);
  } finally {
    expect(await app.stop()).toBe(0);
  }
}, 60_000);

async function relayedTriage(app: AppProcess, smee: Awaited<ReturnType<typeof startRelay>>, port: number) {
  await waitFor(
    "the listening line",
    () =>
      app.logs.join("").includes(`config-triage listening on http://127.0.0.1:${port}/api/github/webhooks`) ||
      undefined,
    10_000,
  ).catch((e) => {
    throw new Error(`${e.message}:\n${app.logs.join("")}`);
  });
  await smee.connected;
  addRepo("relayed");
  smee.send("issues", labeled("relayed"));
  const comment = await waitFor("the diagnosis comment", () => appComments("relayed")[0], 30_000);
  expect(comment.body).toContain("JWT_SECRET_STAGING");
  expect(app.logs.join("")).toContain(
    `forwarding deliveries from ${smee.url} to http://127.0.0.1:${port}/api/github/webhooks`,
  );
}

it("bad settings: every one named at once, exit code 1, no stack trace", async () => {
  const bad = mkdtempSync(join(tmpdir(), "config-triage-bad-"));
  writeFileSync(
    join(bad, ".env"),
    "APP_ID=my-app\nPRIVATE_KEY_PATH=./missing.pem\nLOG_LEVEL=loud\nCONFIG_TRIAGE_ALLOWED_PROJECTS=acme\n",
  );
  const { code, stdout, stderr } = await runNode([join(root, "dist/entry/server/main.js")], {
    cwd: bad,
    env: { PATH: process.env.PATH, PORT: "70000" },
  });
  rmSync(bad, { recursive: true, force: true });
  expect(code).toBe(1);
  expect(stdout).toBe("");
  expect(stderr.split("\n").filter(Boolean)).toEqual([
    "config-triage cannot start: these settings need fixing (see .env.example):",
    "  - APP_ID=my-app is not valid: use the App ID (a number) shown on the GitHub App's settings page",
    expect.stringMatching(
      /^ {2}- PRIVATE_KEY_PATH=\.\/missing\.pem: no such file \(relative paths start at .*\); download the key from/,
    ),
    "  - WEBHOOK_SECRET is not set: use the webhook secret set on the GitHub App's settings page",
    "  - PORT=70000 is not valid: use a whole number from 0 to 65535",
    // The server's own settings first, then the app's (the CLI and the Action read those too).
    "  - LOG_LEVEL=loud is not valid: use one of trace, debug, info, warn, error, fatal, silent",
    expect.stringMatching(/^ {2}- CONFIG_TRIAGE_ALLOWED_PROJECTS: "acme" is not a rule: write OWNER=PROJECT/),
  ]);
}, 30_000);
