/**
 * The real server, started as a user starts it, for end-to-end tests, `npm run demo` and the benchmark: a child
 * process running `node dist/entry/server/main.js` (what `npm start` runs after building; jest builds once in
 * `test/support/build-server.js`) or, for the demo and the benchmark, the TypeScript entry through tsx. Plus: a free
 * loopback port, signed webhook deliveries over HTTP, a throwaway app key, polling, and a real `redis-server` on a
 * free port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { signBody } from "../src/entry/server/verify-signature.js";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** A throwaway RSA key in PEM: the server signs its app JWT with it (the stand-in accepts any). */
export function throwawayPrivateKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `intervalMs` until it returns something other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 90_000,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits until `count()` (e.g. the GitHub requests seen) has not changed for `quietMs`: the app has gone idle. */
export async function waitForQuiet(count: () => number, quietMs = 2_000, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > until) throw new Error(`still busy after ${timeoutMs} ms`);
    await sleep(100);
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  url: string;
  logs: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Sends a signed webhook; returns the HTTP status. */
  deliver(
    event: string,
    payload: unknown,
    opts?: { delivery?: string; secret?: string; signature?: string | null },
  ): Promise<number>;
  /** SIGTERM and wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export interface StartAppOptions {
  env: Record<string, string>;
  /**
   * `dist` (default): `node dist/entry/server/main.js`, as `npm start`; `tsx`: the TypeScript source (the demo, no
   * build step).
   */
  mode?: "dist" | "tsx";
  /**
   * With `tsx`: the script to run (default `src/entry/server/main.ts`; the benchmark also runs its bare Probot app).
   */
  script?: string;
  /** The path polled until the server answers (default `/healthz`); with `any` any HTTP answer counts. */
  ready?: "healthz" | "any";
  port?: number;
  /** The working directory (default: the repository), e.g. one with a `.env`; `dist` mode only. */
  cwd?: string;
}

/** Starts the server and waits until it answers `GET /healthz`. `env.WEBHOOK_SECRET` signs deliveries. */
export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const mode = options.mode ?? "dist";
  if (mode === "dist" && !existsSync(`${root}/dist/entry/server/main.js`))
    throw new Error("dist/entry/server/main.js is missing: run `npm run build`");
  const args =
    mode === "dist"
      ? [`${root}/dist/entry/server/main.js`]
      : ["--import", "tsx", options.script ?? "src/entry/server/main.ts"];
  const logs: string[] = [];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, NODE_OPTIONS: "", HOST: "127.0.0.1", PORT: String(port), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => logs.push(String(d)));
  child.stderr!.on("data", (d) => logs.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const secret = options.env.WEBHOOK_SECRET;
  const until = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(options.ready === "any" ? url : `${url}/healthz`).then(
      (r) => options.ready === "any" || r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`the app server did not start:\n${logs.join("")}`);
    }
    await sleep(50);
  }
  return {
    child,
    port,
    url,
    logs,
    exited,
    async deliver(event, payload, opts = {}) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": opts.delivery ?? randomUUID(),
      };
      const signature = opts.signature === undefined ? signBody(opts.secret ?? secret, body) : opts.signature;
      if (signature !== null) headers["x-hub-signature-256"] = signature;
      const response = await fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
      await response.arrayBuffer();
      return response.status;
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port, nothing persisted; or with `dir`, its data kept there (append-only
 * file), and with `port` the same server started again: an outage that loses nothing, like a managed Redis's.
 */
export async function startRedis(o: { port?: number; dir?: string } = {}): Promise<RedisServer> {
  const port = o.port ?? (await freePort());
  const persist = o.dir ? ["--dir", o.dir, "--appendonly", "yes"] : ["--appendonly", "no"];
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persist], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout!.on("data", (d) => logs.push(String(d)));
  child.stderr!.on("data", (d) => logs.push(String(d)));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.on("error", (error) => logs.push(String(error)));
  await waitFor(
    "redis-server to accept connections",
    () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${logs.join("")}`);
      return logs.join("").includes("Ready to accept connections") ? true : undefined;
    },
    10_000,
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

let key: string | undefined;

/** The environment of a server talking to a GitHub stand-in and a Cloud Run emulator, as a user would set it. */
export function appEnv(
  o: { appId: number; githubHost: string; cloudRunAddress: string; secret: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  key ??= throwawayPrivateKey();
  return {
    APP_ID: String(o.appId),
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: o.secret,
    GHE_HOST: o.githubHost,
    GHE_PROTOCOL: "http",
    CLOUD_RUN_EMULATOR_HOST: o.cloudRunAddress,
    LOG_LEVEL: "warn",
    // The deployment lets the scenario's organisation check the scenario's two projects (nothing is allowed unset).
    CONFIG_TRIAGE_ALLOWED_PROJECTS: "netra-systems=netra-staging,netra-production",
    ...extra,
  };
}

export { randomUUID };

/** Runs `node ARGS` to its exit as a shell would, and gives the exit code and both streams whole. */
export function runNode(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
