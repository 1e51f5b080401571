import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { emulatorOptions } from "../adapters/cloud-run/create-clients.js";
import { githubTimeoutMs } from "../adapters/github/timed-fetch.js";
import { readAllowedProjects, type ProjectPolicy } from "../domain/config/allowed-projects.js";
import { queueSettings, type QueueSettings } from "../adapters/queue/event-queue.js";
import { parseDuration } from "../domain/config/parse-duration.js";
import { DEFAULT_MAX_WATCHES, DEFAULT_WATCH_MIN_EVERY_MS } from "../domain/follow-up-plan/decide-watch.js";

/** What the app's wiring (`wireApp`) needs, for the server, the CLI and the Action alike. */
export interface AppSettings {
  /** CONFIG_TRIAGE_GITHUB_API; unset lets each entry point choose (the server graphql, the Action rest). */
  githubApi?: "graphql" | "rest";
  /** APP_ID when it is a valid one (the server requires it; the CLI and the Action run without). */
  appId?: number;
  /** CONFIG_TRIAGE_BOT_LOGIN: the login whose issues and markers are the app's own. */
  botLogin?: string;
  /** GITHUB_REQUEST_TIMEOUT_MS (default 20 s). */
  githubTimeoutMs: number;
  /** REDIS_URL: the shared queue, watches and rate limits of several instances. */
  redisUrl?: string;
  cloudRun: {
    /** CLOUD_RUN_EMULATOR_HOST: host:port of an emulator instead of Google. */
    emulatorHost?: string;
    /** GOOGLE_APPLICATION_CREDENTIALS: the key file, else Application Default Credentials. */
    credentialsFile?: string;
    /** CLOUD_RUN_TIMEOUT_MS (default 15000), also the Secret Manager calls' timeout. */
    timeoutMs: number;
  };
  secretManager: {
    /**
     * Whether fixes are checked in Secret Manager: not with CONFIG_TRIAGE_VERIFY_SECRETS=false, nor with an emulated
     * Cloud Run without SECRET_MANAGER_EMULATOR_HOST (an emulated service is never checked against the real one).
     */
    verify: boolean;
    /** SECRET_MANAGER_EMULATOR_HOST. */
    emulatorHost?: string;
  };
  /** CONFIG_TRIAGE_ALLOWED_PROJECTS (or its _FILE): the projects each installation may have checked. */
  allowedProjects: ProjectPolicy;
}

/** The server's settings, read once from the environment by `readServerSettings`. */
export interface ServerSettings {
  appId: number;
  /** The app's private key in PEM, from PRIVATE_KEY or the file PRIVATE_KEY_PATH names. */
  privateKey: string;
  webhookSecret: string;
  /** Default 3000. */
  port: number;
  /** Default localhost. */
  host: string;
  /** Default /api/github/webhooks. */
  webhookPath: string;
  /** Default info, as `probot run` (createProbot alone defaults to warn, which hides the "listening on" line). */
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  /** LOG_FORMAT: json (structured lines for Cloud Logging) or pretty (the default). */
  logFormat: "json" | "pretty";
  /** A smee.io channel (or another server-sent-events relay) whose deliveries are forwarded to the server. */
  webhookProxyUrl?: string;
  /** METRICS_PORT (off when unset), METRICS_HOST (default 127.0.0.1), METRICS_TOKEN (the bearer token asked for). */
  metrics: { port?: number; host: string; token?: string };
  queue: QueueSettings;
  /** How long SIGTERM waits for running events (default 8000). */
  shutdownGraceMs: number;
  /** With Redis: the key prefix instances that act as one share (default config-triage), and the job lock. */
  queuePrefix: string;
  queueLockMs: number;
  /** Watches: the floor of `watch.every` (CONFIG_TRIAGE_WATCH_MIN_EVERY, default 5m) and the bound per installation. */
  watch: { minEveryMs: number; maxPerInstallation: number };
  /** What the app's wiring needs (`readAppSettings`). */
  app: AppSettings;
}

/** Settings, frozen, or every problem found, each naming its variable. */
export type SettingsResult<T> = { ok: true; settings: Readonly<T> } | { ok: false; problems: string[] };

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** The helpers each reader shares: problems are collected, never thrown, so every bad setting is reported at once. */
function settingsReader(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  const set = (name: string) => (env[name] ?? "") !== "";
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const wholeNumber = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!set(name)) return fallback;
    const n = Number(env[name]);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(
      `${name}=${env[name]} is not valid: ` +
        `use a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}`,
    );
    return fallback;
  };
  return { env, problems, set, attempt, wholeNumber };
}

type SettingsReader = ReturnType<typeof settingsReader>;

/**
 * Reads and checks the settings the app's wiring needs (`AppSettings`): the CLI and the Action read theirs here,
 * and `readServerSettings` includes them.
 */
export function readAppSettings(env: NodeJS.ProcessEnv): SettingsResult<AppSettings> {
  const reader = settingsReader(env);
  const settings = appSettings(reader);
  return reader.problems.length
    ? { ok: false, problems: reader.problems }
    : { ok: true, settings: deepFreeze(settings) };
}

function appSettings({ env, problems, set, attempt, wholeNumber }: SettingsReader): AppSettings {
  if (set("REDIS_URL") && !/^rediss?:$/.test(urlProtocol(env.REDIS_URL!)))
    problems.push("REDIS_URL is not valid: use redis://host:port (or rediss:// for TLS)");
  const api = env.CONFIG_TRIAGE_GITHUB_API;
  if (set("CONFIG_TRIAGE_GITHUB_API") && api !== "graphql" && api !== "rest")
    problems.push(`CONFIG_TRIAGE_GITHUB_API=${api} is not valid: use graphql (the default) or rest`);
  if (set("CLOUD_RUN_EMULATOR_HOST")) attempt(() => emulatorOptions(env.CLOUD_RUN_EMULATOR_HOST!));
  const cloudRunTimeoutMs = wholeNumber("CLOUD_RUN_TIMEOUT_MS", 15_000, 1);
  const timeout = attempt(() => githubTimeoutMs(env));
  const verify = env.CONFIG_TRIAGE_VERIFY_SECRETS;
  if (set("CONFIG_TRIAGE_VERIFY_SECRETS") && verify !== "true" && verify !== "false")
    problems.push(`CONFIG_TRIAGE_VERIFY_SECRETS=${verify} is not valid: use true (the default) or false`);
  const allowedProjects = attempt(() => readAllowedProjects(env));
  const appId = Number(env.APP_ID);
  return {
    githubApi: api === "graphql" || api === "rest" ? api : undefined,
    appId: set("APP_ID") && Number.isInteger(appId) && appId > 0 ? appId : undefined,
    botLogin: env.CONFIG_TRIAGE_BOT_LOGIN || undefined,
    githubTimeoutMs: timeout!,
    redisUrl: env.REDIS_URL || undefined,
    cloudRun: {
      emulatorHost: env.CLOUD_RUN_EMULATOR_HOST || undefined,
      credentialsFile: env.GOOGLE_APPLICATION_CREDENTIALS || undefined,
      timeoutMs: cloudRunTimeoutMs,
    },
    secretManager: {
      verify: verify !== "false" && !(set("CLOUD_RUN_EMULATOR_HOST") && !set("SECRET_MANAGER_EMULATOR_HOST")),
      emulatorHost: env.SECRET_MANAGER_EMULATOR_HOST || undefined,
    },
    allowedProjects: allowedProjects!,
  };
}

/**
 * Reads and checks every setting `npm start` needs, and reports every missing or invalid one at once, each by its
 * variable name, instead of stopping at the first. The result is frozen: the server reads the environment once.
 */
export function readServerSettings(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): SettingsResult<ServerSettings> {
  const reader = settingsReader(env);
  const { problems, set, attempt, wholeNumber } = reader;

  const appId = Number(env.APP_ID);
  if (!set("APP_ID")) problems.push("APP_ID is not set: use the App ID shown on the GitHub App's settings page");
  else if (!Number.isInteger(appId) || appId <= 0)
    problems.push(
      `APP_ID=${env.APP_ID} is not valid: use the App ID (a number) shown on the GitHub App's settings page`,
    );

  const privateKey = readPrivateKey(env, cwd, problems);
  if (!set("WEBHOOK_SECRET"))
    problems.push("WEBHOOK_SECRET is not set: use the webhook secret set on the GitHub App's settings page");

  const port = wholeNumber("PORT", 3000, 0, 65535);
  const metricsPort = wholeNumber("METRICS_PORT", 0, 1, 65535);
  if (set("LOG_LEVEL") && !LOG_LEVELS.includes(env.LOG_LEVEL!))
    problems.push(`LOG_LEVEL=${env.LOG_LEVEL} is not valid: use one of ${LOG_LEVELS.join(", ")}`);
  if (set("LOG_FORMAT") && !["json", "pretty"].includes(env.LOG_FORMAT!))
    problems.push(`LOG_FORMAT=${env.LOG_FORMAT} is not valid: use json, or pretty (the default)`);
  if (set("GHE_PROTOCOL") && !["http", "https"].includes(env.GHE_PROTOCOL!))
    problems.push(`GHE_PROTOCOL=${env.GHE_PROTOCOL} is not valid: use https (the default) or http`);
  if (set("WEBHOOK_PATH") && !env.WEBHOOK_PATH!.startsWith("/"))
    problems.push(`WEBHOOK_PATH=${env.WEBHOOK_PATH} is not valid: it must start with /`);
  if (set("WEBHOOK_PROXY_URL") && !/^https?:$/.test(urlProtocol(env.WEBHOOK_PROXY_URL!))) {
    problems.push(
      `WEBHOOK_PROXY_URL=${env.WEBHOOK_PROXY_URL} is not valid: use the https:// address of a smee.io channel ` +
        "(https://smee.io/new makes one)",
    );
  }
  const app = appSettings(reader);
  const shutdownGraceMs = wholeNumber("SHUTDOWN_GRACE_MS", 8_000, 0);
  const queueLockMs = wholeNumber("QUEUE_LOCK_MS", 30_000, 1);
  const queue = attempt(() => queueSettings(env));
  const maxWatches = wholeNumber("CONFIG_TRIAGE_MAX_WATCHES", DEFAULT_MAX_WATCHES, 1);
  let minEveryMs = DEFAULT_WATCH_MIN_EVERY_MS;
  if (set("CONFIG_TRIAGE_WATCH_MIN_EVERY")) {
    const parsed = parseDuration(env.CONFIG_TRIAGE_WATCH_MIN_EVERY!);
    if (parsed === undefined)
      problems.push(
        `CONFIG_TRIAGE_WATCH_MIN_EVERY=${env.CONFIG_TRIAGE_WATCH_MIN_EVERY} is not valid: ` +
          "use a whole number and a unit (s, m, h or d), e.g. 5m",
      );
    else minEveryMs = parsed;
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    settings: deepFreeze({
      appId,
      privateKey: privateKey!,
      webhookSecret: env.WEBHOOK_SECRET!,
      port,
      host: env.HOST || "localhost",
      webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
      logLevel: (env.LOG_LEVEL || "info") as ServerSettings["logLevel"],
      logFormat: env.LOG_FORMAT === "json" ? "json" : "pretty",
      webhookProxyUrl: env.WEBHOOK_PROXY_URL || undefined,
      metrics: {
        port: metricsPort || undefined,
        host: env.METRICS_HOST || "127.0.0.1",
        token: env.METRICS_TOKEN || undefined,
      },
      queue: queue!,
      shutdownGraceMs,
      queuePrefix: env.QUEUE_PREFIX || "config-triage",
      queueLockMs,
      watch: { minEveryMs, maxPerInstallation: maxWatches },
      app,
    }),
  };
}

/** Freezes the settings and the plain objects in them (not the Sets and Maps a policy holds). */
function deepFreeze<T>(value: T): Readonly<T> {
  if (
    value &&
    typeof value === "object" &&
    (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
  ) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function urlProtocol(text: string): string {
  return URL.canParse(text) ? new URL(text).protocol : "";
}

/**
 * The key as Probot reads it (`@probot/get-private-key`): PRIVATE_KEY holds the PEM (newlines may be written `\n`)
 * or its base64; else PRIVATE_KEY_PATH names the .pem file, relative to the working directory.
 */
function readPrivateKey(env: NodeJS.ProcessEnv, cwd: string, problems: string[]): string | undefined {
  let text: string;
  let from: string;
  if (env.PRIVATE_KEY) {
    from = "PRIVATE_KEY";
    text = env.PRIVATE_KEY.includes("-----BEGIN")
      ? env.PRIVATE_KEY.replace(/\\n/g, "\n")
      : Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8");
  } else if (env.PRIVATE_KEY_PATH) {
    from = `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH}`;
    try {
      text = readFileSync(resolve(cwd, env.PRIVATE_KEY_PATH), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        code === "ENOENT"
          ? `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH}: no such file (relative paths start at ${cwd}); ` +
              "download the key from the GitHub App's settings page"
          : `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH}: cannot read it (${code ?? String(error)})`,
      );
      return undefined;
    }
  } else {
    problems.push(
      "PRIVATE_KEY and PRIVATE_KEY_PATH are not set: set one to the private key generated on the GitHub App's " +
        "settings page (PRIVATE_KEY_PATH=path/to/key.pem)",
    );
    return undefined;
  }
  try {
    createPrivateKey(text);
    return text;
  } catch {
    problems.push(
      `${from}: not a private key in PEM format (-----BEGIN RSA PRIVATE KEY----- ...): ` +
        "use the .pem file generated on the GitHub App's settings page",
    );
    return undefined;
  }
}

/**
 * Reads `.env` from `cwd` into `env`, as Probot's own `probot run` does, without overriding a variable that is
 * already set (the real environment wins). Returns the names it set; none when there is no `.env`.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`.env: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    loaded.push(name);
  }
  return loaded;
}
