/**
 * End to end, one instance with the in-process queue: the real server (`node dist/main.js`), signed webhooks over
 * HTTP, the GitHub stand-in (every request checked against GitHub's OpenAPI description) and the Cloud Run emulator.
 */
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, waitForQuiet, sleep, startApp, waitFor, type AppProcess } from "../support/app-server.js";
import { PLANTED_VALUES, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 31;
const SECRET = `e2e-${randomUUID()}`;
const OWNER = "netra-systems";

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let app: AppProcess;

function addScenarioRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  github.addIssue(`${OWNER}/${repo}`, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
}

function labeled(repo: string) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  payload.installation.id = 1;
  return payload;
}

const appComments = (repo: string) => github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!.comments.filter((c) => c.user.login === github.botLogin);
const followUps = (repo: string) => github.issues(`${OWNER}/${repo}`).filter((i) => i.user.login === github.botLogin);

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: APP_ID });
  app = await startApp({ env: appEnv({ appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET }) });
});

afterAll(async () => {
  await app?.stop();
  await github?.close();
  await cloudRun?.close();
});

afterEach(() => {
  expect(github.violations).toEqual([]);
  const sent = github.requests.map((r) => JSON.stringify(r.body ?? "")).join("\n") + app.logs.join("");
  for (const value of PLANTED_VALUES) expect(sent).not.toContain(value);
});

describe("the real server, one instance", () => {
  it("refuses a missing or wrong signature before parsing, and changes nothing", async () => {
    addScenarioRepo("unsigned");
    const before = github.requests.length;
    expect(await app.deliver("issues", labeled("unsigned"), { signature: null })).toBe(400);
    expect(await app.deliver("issues", labeled("unsigned"), { secret: "not-the-secret" })).toBe(401);
    expect(await app.deliver("issues", labeled("unsigned"), { signature: "sha256=zz" })).toBe(401);
    await sleep(500);
    expect(github.requests.length).toBe(before);
  });

  it("answers at once, triages the canonical issue, and ignores a redelivery of the same delivery", async () => {
    addScenarioRepo("canonical");
    const delivery = randomUUID();
    expect(await app.deliver("issues", labeled("canonical"), { delivery })).toBe(202);
    // Answered before the triage wrote anything: the work happens after the acknowledgement.
    expect(appComments("canonical")).toHaveLength(0);
    const comment = await waitFor("the diagnosis comment", () => appComments("canonical")[0]);
    expect(comment.body).toContain("JWT_SECRET_STAGING");
    const parent = github.issue(`${OWNER}/canonical`, scenarioIssue.number)!;
    expect(followUps("canonical")).toHaveLength(4);
    expect(followUps("canonical").every((f) => f.parent === parent.id)).toBe(true);

    const before = github.requests.length;
    expect(await app.deliver("issues", labeled("canonical"), { delivery })).toBe(200);
    await sleep(1500);
    expect(github.requests.length).toBe(before);
    expect(appComments("canonical")).toHaveLength(1);
  }, 90_000);

  it("two events for one issue at once give one comment and one copy of each follow-up", async () => {
    addScenarioRepo("twice");
    const statuses = await Promise.all([app.deliver("issues", labeled("twice")), app.deliver("issues", labeled("twice"))]);
    expect(statuses).toEqual([202, 202]);
    await waitFor("the diagnosis comment", () => appComments("twice")[0]);
    await waitForQuiet(() => github.requests.length);
    expect(appComments("twice")).toHaveLength(1);
    expect(followUps("twice").map((f) => f.title).sort()).toEqual([...new Set(followUps("twice").map((f) => f.title))].sort());
    expect(followUps("twice")).toHaveLength(4);
  }, 120_000);
});
