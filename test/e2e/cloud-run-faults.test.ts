/**
 * End to end: Cloud Run faults through the real server. Cloud Run says UNAVAILABLE, PERMISSION_DENIED, or answers after
 * CLOUD_RUN_TIMEOUT_MS: the services are reported on the issue as "could not check" (neither missing nor passing),
 * and the parent stays open, although the same services without the faults pass every check (and close it).
 */
import { GrpcStatus, startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, startApp, waitFor, waitForQuiet, type AppProcess } from "../support/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 37;
const SECRET = `e2e-${randomUUID()}`;
const OWNER = "netra-systems";

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let app: AppProcess;

function addRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  github.addIssue(`${OWNER}/${repo}`, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
}

function labeled(repo: string) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  payload.installation.id = 1;
  return payload;
}

async function triage(repo: string) {
  addRepo(repo);
  expect(await app.deliver("issues", labeled(repo))).toBe(202);
  const parent = () => github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!;
  const comment = await waitFor("the diagnosis comment", () => parent().comments.find((c) => c.user.login === github.botLogin), 30_000);
  await waitForQuiet(() => github.requests.length, 1_500);
  return { body: comment.body, parent: parent() };
}

/** Every one of the four checks (two services in two environments) is "could not check"; none passes or fails. */
function expectNothingDecided(body: string) {
  expect(body.match(/\| ❔ could not check \|/g)).toHaveLength(4);
  expect(body).not.toContain("✅ set");
  expect(body).not.toContain("❌");
  expect(body).not.toMatch(/\bis missing\b|lacks `JWT_SECRET/);
}

beforeAll(async () => {
  // Fixed: without faults every check passes and the parent is closed.
  cloudRun = await startCloudRunEmulator(scenarioServices({ fixed: true }));
  github = await startGitHubStandIn({ appId: APP_ID });
  app = await startApp({ env: appEnv({ appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET }, { CLOUD_RUN_TIMEOUT_MS: "800" }) });
});

afterAll(async () => {
  await app?.stop();
  await github?.close();
  await cloudRun?.close();
});

afterEach(() => {
  cloudRun.clearFaults();
  cloudRun.latencyMs = 0;
  expect(github.violations).toEqual([]);
});

it("the services pass without faults, and the parent is closed (the baseline the faults change)", async () => {
  const { body, parent } = await triage("no-faults");
  expect(body.match(/✅ set/g)).toHaveLength(4);
  expect(parent.state).toBe("closed");
}, 60_000);

it("UNAVAILABLE and PERMISSION_DENIED: could not check, with the reason and what to do; the parent stays open", async () => {
  cloudRun.addFault({ name: "projects/netra-staging", code: GrpcStatus.UNAVAILABLE, details: "The service is currently unavailable." });
  cloudRun.addFault({ name: "projects/netra-production", code: GrpcStatus.PERMISSION_DENIED, details: "Permission denied on resource project netra-production." });
  const { body, parent } = await triage("unavailable-denied");
  expectNothingDecided(body);
  for (const service of ["netra-backend", "auth-service"]) {
    expect(body).toContain(`could not check staging / ${service}: could not reach Cloud Run`);
    expect(body).toContain(`could not check production / ${service}: permission denied (missing IAM permission \`run.services.get\``);
  }
  expect(body).toContain("roles/run.viewer");
  expect(parent.state).toBe("open");
}, 60_000);

it("an answer slower than CLOUD_RUN_TIMEOUT_MS: could not reach Cloud Run, not a pass; the parent stays open", async () => {
  cloudRun.latencyMs = 2_500;
  const { body, parent } = await triage("slow");
  expectNothingDecided(body);
  for (const env of ["staging", "production"]) {
    for (const service of ["netra-backend", "auth-service"]) expect(body).toContain(`could not check ${env} / ${service}: could not reach Cloud Run`);
  }
  expect(parent.state).toBe("open");
}, 60_000);
