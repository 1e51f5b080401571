/**
 * End to end, with the real `@google-cloud/run` client and no emulator: a host without Google credentials. Loopback
 * only: an empty HOME and gcloud config, the metadata server on a closed loopback port, and gRPC and HTTPS proxies on
 * that closed port, so a call that got past the credentials could not reach Google either.
 * Before the fix the first triage ended the server (an unhandled rejection inside the client) and the CLI printed a
 * stack trace; now the issue and the CLI say "could not check: no valid Google credentials", and the server goes on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioConfigYaml } from "../../dev/scenario.js";
import { root, runNode, waitFor, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

const e2e = useE2E({ appId: 43 });
const { addRepo, labeled, appComments } = e2e;
const home = mkdtempSync(join(tmpdir(), "config-triage-no-adc-"));
const CLOSED = "127.0.0.1:9";

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** No Application Default Credentials anywhere, and nothing that could leave the machine. */
function noCredentials(credentialsFile = ""): Record<string, string> {
  return {
    CLOUD_RUN_EMULATOR_HOST: "",
    HOME: home,
    CLOUDSDK_CONFIG: join(home, "gcloud"),
    GOOGLE_APPLICATION_CREDENTIALS: credentialsFile,
    GCE_METADATA_HOST: CLOSED,
    METADATA_SERVER_DETECTION: "none",
    grpc_proxy: `http://${CLOSED}`,
    HTTPS_PROXY: `http://${CLOSED}`,
    NO_PROXY: "127.0.0.1,localhost",
  };
}

async function triage(app: AppProcess, repo: string): Promise<string> {
  addRepo(repo);
  expect(await app.deliver("issues", labeled(repo))).toBe(202);
  return (await waitFor("the diagnosis comment", () => appComments(repo)[0], 30_000)).body;
}

it("no credentials at all: could not check, with the login command; the server answers the next delivery", async () => {
  const app = await e2e.start(noCredentials());
  const body = await triage(app, "no-adc");
  for (const env of ["staging", "production"]) {
    for (const service of ["netra-backend", "auth-service"])
      expect(body).toContain(`could not check ${env} / ${service}: no valid Google credentials`);
  }
  expect(body).toContain("gcloud auth application-default login");
  expect(body).toContain("Google's auth library said: Could not load the default credentials.");
  expect(body).not.toContain("❌");
  expect(e2e.parent("no-adc").state).toBe("open");
  // The process survived the first triage and serves the next delivery to the end.
  expect(app.child.exitCode).toBeNull();
  expect(await triage(app, "no-adc-again")).toContain("no valid Google credentials");
  expect(app.child.exitCode).toBeNull();
}, 90_000);

it.each([
  ["a missing file", (dir: string) => join(dir, "missing.json"), "names a file that does not exist"],
  [
    "a file that is not JSON",
    (dir: string) => write(join(dir, "broken.json"), '{"type": "service_account"'),
    "names a file that is not a valid credential file",
  ],
  [
    "a JSON file of no credential type",
    (dir: string) => write(join(dir, "other.json"), '{"hello": "world"}'),
    "names a file that is not a valid credential file",
  ],
])(
  "GOOGLE_APPLICATION_CREDENTIALS names %s: could not check, said by its variable name, without the path",
  async (_name, make, said) => {
    const file = make(home);
    const app = await e2e.start(noCredentials(file));
    const repo = `bad-file-${file.split("/").pop()!.replace(/\W/g, "")}`;
    const body = await triage(app, repo);
    expect(body).toContain("could not check staging / netra-backend: no valid Google credentials");
    expect(body).toContain(`GOOGLE_APPLICATION_CREDENTIALS ${said}`);
    expect(body).not.toContain(home);
    // No login fixes a bad GOOGLE_APPLICATION_CREDENTIALS (it wins over the login): no command is offered as the fix.
    expect(body).not.toMatch(/```[a-z]*\ngcloud auth application-default login/);
    expect(app.child.exitCode).toBeNull();
    await app.stop();
  },
  60_000,
);

function write(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

it("config-triage check without credentials: exit 2, the same message and command, no stack trace", async () => {
  const dir = join(home, "checkout");
  mkdirSync(join(dir, ".github"), { recursive: true });
  writeFileSync(join(dir, ".github/config-triage.yml"), scenarioConfigYaml);
  const { code, stdout, stderr } = await runNode([join(root, "dist/entry/cli/main.js"), "check", "--env", "staging"], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...noCredentials() },
  });
  expect(code).toBe(2);
  expect(stdout).toContain("could not check staging / netra-backend: no valid Google credentials");
  expect(stdout).toContain("gcloud auth application-default login");
  expect(`${stdout}${stderr}`).not.toMatch(/^\s+at /m);
}, 60_000);
