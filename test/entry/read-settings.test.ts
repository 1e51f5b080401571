import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDotEnv, readAppSettings, readServerSettings } from "../../src/entry/read-settings.js";
import { throwawayPrivateKey } from "../../dev/app-server.js";

let dir: string;
const key = throwawayPrivateKey();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "config-triage-env-"));
  writeFileSync(join(dir, "app.pem"), key);
  writeFileSync(join(dir, "not-a-key.pem"), "hello");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = { APP_ID: "12345", PRIVATE_KEY_PATH: "app.pem", WEBHOOK_SECRET: "s3cret" };

test("valid settings: a typed object with the defaults, the key read from PRIVATE_KEY_PATH relative to the cwd", () => {
  expect(readServerSettings(valid, dir)).toEqual({
    ok: true,
    settings: expect.objectContaining({
      appId: 12345,
      privateKey: key,
      webhookSecret: "s3cret",
      port: 3000,
      host: "localhost",
      webhookPath: "/api/github/webhooks",
      shutdownGraceMs: 8000,
    }),
  });
});

test.each([
  ["PEM text with \\n escapes", key.replace(/\n/g, "\\n")],
  ["base64 of the PEM", Buffer.from(key).toString("base64")],
])("PRIVATE_KEY as %s is read as Probot reads it", (_name, text) => {
  const read = readServerSettings({ APP_ID: "1", PRIVATE_KEY: text, WEBHOOK_SECRET: "s" }, dir);
  expect(read.ok && read.settings.privateKey.trim()).toBe(key.trim());
});

test("nothing set: the three required settings, each by its variable name, at once", () => {
  expect(readServerSettings({}, dir)).toEqual({
    ok: false,
    problems: [
      "APP_ID is not set: use the App ID shown on the GitHub App's settings page",
      "PRIVATE_KEY and PRIVATE_KEY_PATH are not set: set one to the private key generated on the GitHub App's " +
        "settings page (PRIVATE_KEY_PATH=path/to/key.pem)",
      "WEBHOOK_SECRET is not set: use the webhook secret set on the GitHub App's settings page",
    ],
  });
});

test("every invalid setting is reported at once by its name; a PRIVATE_KEY_PATH to a missing file says so", () => {
  const read = readServerSettings(
    {
      APP_ID: "my-app",
      PRIVATE_KEY_PATH: "missing.pem",
      WEBHOOK_SECRET: "s",
      PORT: "99999",
      LOG_LEVEL: "loud",
      WEBHOOK_PROXY_URL: "smee.io/abc",
      CONFIG_TRIAGE_GITHUB_API: "soap",
      CLOUD_RUN_EMULATOR_HOST: "localhost",
      GITHUB_REQUEST_TIMEOUT_MS: "5",
      QUEUE_CONCURRENCY: "0",
    } as unknown as NodeJS.ProcessEnv,
    dir,
  );
  expect(read.ok).toBe(false);
  const problems = read.ok ? [] : read.problems;
  expect(problems.map((p) => p.split(/[=: ]/)[0])).toEqual([
    "APP_ID",
    "PRIVATE_KEY_PATH",
    "PORT",
    "LOG_LEVEL",
    "WEBHOOK_PROXY_URL",
    "CONFIG_TRIAGE_GITHUB_API",
    "CLOUD_RUN_EMULATOR_HOST",
    "GITHUB_REQUEST_TIMEOUT_MS",
    "QUEUE_CONCURRENCY",
  ]);
  expect(problems[1]).toBe(
    `PRIVATE_KEY_PATH=missing.pem: no such file (relative paths start at ${dir}); ` +
      "download the key from the GitHub App's settings page",
  );
  expect(problems.join("\n")).not.toContain("privateKey option is required");
});

test("watches: the floor of watch.every and the bound per installation, with defaults and clear errors", () => {
  const read = (extra: Record<string, string>) => readServerSettings({ ...valid, ...extra }, dir);
  const defaults = read({});
  expect(defaults.ok && defaults.settings.watch).toEqual({ minEveryMs: 300_000, maxPerInstallation: 100 });
  const set = read({ CONFIG_TRIAGE_WATCH_MIN_EVERY: "30s", CONFIG_TRIAGE_MAX_WATCHES: "5" });
  expect(set.ok && set.settings.watch).toEqual({ minEveryMs: 30_000, maxPerInstallation: 5 });
  expect(read({ CONFIG_TRIAGE_WATCH_MIN_EVERY: "5 minutes", CONFIG_TRIAGE_MAX_WATCHES: "0" })).toEqual({
    ok: false,
    problems: [
      "CONFIG_TRIAGE_MAX_WATCHES=0 is not valid: use a whole number from 1 up",
      "CONFIG_TRIAGE_WATCH_MIN_EVERY=5 minutes is not valid: use a whole number and a unit (s, m, h or d), e.g. 5m",
    ],
  });
});

test("a file that is not a private key is named as such", () => {
  expect(readServerSettings({ ...valid, PRIVATE_KEY_PATH: "not-a-key.pem" }, dir)).toEqual({
    ok: false,
    problems: [
      "PRIVATE_KEY_PATH=not-a-key.pem: not a private key in PEM format (-----BEGIN RSA PRIVATE KEY----- ...): " +
        "use the .pem file generated on the GitHub App's settings page",
    ],
  });
});

test(".env sets what the environment does not, and never overrides a variable already set", () => {
  const cwd = mkdtempSync(join(tmpdir(), "config-triage-dotenv-"));
  writeFileSync(
    join(cwd, ".env"),
    '# comment\nAPP_ID=7\nPORT=4000\nPRIVATE_KEY="-----BEGIN X-----\\nabc\\n-----END X-----"\nEMPTY=\n',
  );
  const env: NodeJS.ProcessEnv = { PORT: "5000" };
  expect(loadDotEnv(env, cwd).sort()).toEqual(["APP_ID", "EMPTY", "PRIVATE_KEY"]);
  expect(env).toEqual({ PORT: "5000", APP_ID: "7", PRIVATE_KEY: "-----BEGIN X-----\nabc\n-----END X-----", EMPTY: "" });
  expect(loadDotEnv({}, dir)).toEqual([]);
  rmSync(cwd, { recursive: true, force: true });
});

test("the settings are read once into a frozen object: nothing downstream can change them", () => {
  const read = readServerSettings(valid, dir);
  if (!read.ok) throw new Error(read.problems.join("\n"));
  expect(Object.isFrozen(read.settings)).toBe(true);
  expect(Object.isFrozen(read.settings.app.cloudRun)).toBe(true);
  expect(() => {
    (read.settings as { port: number }).port = 1;
  }).toThrow(TypeError);
});

test("the app's settings (the CLI and the Action read these): defaults, and every bad one by its name", () => {
  expect(readAppSettings({})).toEqual({
    ok: true,
    settings: expect.objectContaining({
      githubApi: undefined,
      githubTimeoutMs: 20_000,
      cloudRun: { emulatorHost: undefined, credentialsFile: undefined, timeoutMs: 15_000 },
      secretManager: { verify: true, emulatorHost: undefined },
    }),
  });
  expect(
    readAppSettings({
      CONFIG_TRIAGE_GITHUB_API: "soap",
      CLOUD_RUN_TIMEOUT_MS: "soon",
      CONFIG_TRIAGE_VERIFY_SECRETS: "yes",
      CONFIG_TRIAGE_ALLOWED_PROJECTS: "acme",
    }),
  ).toEqual({
    ok: false,
    problems: [
      "CONFIG_TRIAGE_GITHUB_API=soap is not valid: use graphql (the default) or rest",
      "CLOUD_RUN_TIMEOUT_MS=soon is not valid: use a whole number from 1 up",
      "CONFIG_TRIAGE_VERIFY_SECRETS=yes is not valid: use true (the default) or false",
      expect.stringContaining("CONFIG_TRIAGE_ALLOWED_PROJECTS"),
    ],
  });
});

test("the server reports the app's settings too, with its own", () => {
  const read = readServerSettings({ ...valid, CONFIG_TRIAGE_VERIFY_SECRETS: "no", METRICS_PORT: "0" }, dir);
  expect(read).toEqual({
    ok: false,
    problems: [
      "METRICS_PORT=0 is not valid: use a whole number from 1 to 65535",
      "CONFIG_TRIAGE_VERIFY_SECRETS=no is not valid: use true (the default) or false",
    ],
  });
});
