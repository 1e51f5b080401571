/**
 * End to end: a run killed half-way resumes on the next run without duplicates; GitHub faults are retried or
 * reported on the issue. The real server (`node dist/main.js`), the GitHub stand-in, the Cloud Run emulator.
 */
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, startApp, waitFor, type AppProcess } from "../support/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 32;
const SECRET = `e2e-${randomUUID()}`;
const OWNER = "netra-systems";

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
const apps: AppProcess[] = [];

async function start(extra: Record<string, string> = {}) {
  const app = await startApp({
    // REST: its create-then-link leaves the window this file kills the process in, and its faults target REST paths.
    // (GraphQL creates and links each follow-up in one mutation.)
    env: appEnv(
      { appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET },
      { QUEUE_BACKOFF_MS: "300", CONFIG_TRIAGE_GITHUB_API: "rest", ...extra },
    ),
  });
  apps.push(app);
  return app;
}

function addScenarioRepo(repo: string) {
  github.addRepo(`${OWNER}/${repo}`, { files: { ".github/config-triage.yml": scenarioConfigYaml }, collaborators: { "sre-lead": "maintain" } });
  return github.addIssue(`${OWNER}/${repo}`, { number: scenarioIssue.number, title: scenarioIssue.title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
}

function labeled(repo: string) {
  const payload = labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" });
  payload.installation.id = 1;
  payload.issue.created_at = new Date(Date.now() - 60_000).toISOString();
  return payload;
}

const appComments = (repo: string) => github.issue(`${OWNER}/${repo}`, scenarioIssue.number)!.comments.filter((c) => c.user.login === github.botLogin);
const followUps = (repo: string) => github.issues(`${OWNER}/${repo}`).filter((i) => i.user.login === github.botLogin);

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: APP_ID });
});

afterAll(async () => {
  for (const app of apps) await app.stop();
  await github?.close();
  await cloudRun?.close();
});

afterEach(() => {
  expect(github.violations).toEqual([]);
});

describe("a run that dies half-way", () => {
  it("is resumed by the next run, which opens only the missing follow-ups and links the orphan", async () => {
    const parent = addScenarioRepo("crash");
    const first = await start();
    expect(await first.deliver("issues", labeled("crash"))).toBe(202);
    // Kill the process after the second follow-up was opened and before it was linked or recorded anywhere.
    await waitFor("a second follow-up not yet linked", () => {
      const made = followUps("crash");
      return made.length === 2 && made[1].parent === null ? true : undefined;
    }, 60_000);
    await first.kill();
    expect(followUps("crash")).toHaveLength(2);
    expect(followUps("crash")[1].parent).toBeNull();
    expect(appComments("crash")).toHaveLength(0);

    const second = await start();
    expect(await second.deliver("issues", labeled("crash"))).toBe(202);
    const comment = await waitFor("the diagnosis comment", () => appComments("crash")[0], 60_000);
    const made = followUps("crash");
    expect(made).toHaveLength(4);
    expect(new Set(made.map((f) => f.title)).size).toBe(4);
    expect(made.every((f) => f.parent === parent.id)).toBe(true);
    for (const f of made) expect(comment.body).toContain(`#${f.number}`);
    await second.stop();
  }, 120_000);
});

describe("GitHub faults", () => {
  it("retries 5xx and secondary rate limits (retry-after) and finishes with nothing written twice", async () => {
    addScenarioRepo("flaky");
    const app = await start();
    github.fault({ method: "GET", path: /\/repos\/netra-systems\/flaky\/issues\/930\/comments/, status: 502, times: 5 });
    github.fault({ method: "POST", path: /\/repos\/netra-systems\/flaky\/issues$/, status: 403, headers: { "retry-after": "1" } });
    github.fault({ method: "POST", path: /\/repos\/netra-systems\/flaky\/issues\/930\/comments/, status: 500 });
    expect(await app.deliver("issues", labeled("flaky"))).toBe(202);
    const comment = await waitFor("the diagnosis comment", () => appComments("flaky")[0], 90_000);
    expect(comment.body).toContain("JWT_SECRET_STAGING");
    expect(followUps("flaky")).toHaveLength(4);
    expect(appComments("flaky")).toHaveLength(1);
    const statuses = github.requests.filter((r) => r.path.startsWith("/repos/netra-systems/flaky/")).map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([502, 403, 500]));
    await app.stop();
  }, 120_000);

  it("reports a run it cannot finish on the issue: why, and what happens next", async () => {
    addScenarioRepo("broken");
    const app = await start({ QUEUE_ATTEMPTS: "1" });
    github.fault({ method: "GET", path: /\/repos\/netra-systems\/broken\/contents\/\.github\/config-triage$/, status: 503, times: Infinity });
    expect(await app.deliver("issues", labeled("broken"))).toBe(202);
    const comment = await waitFor("the failure notice", () => appComments("broken")[0], 60_000);
    expect(comment.body).toContain("could not finish");
    expect(comment.body).toContain("GitHub answered 503 to GET");
    expect(comment.body).toContain("What happens next");
    expect(followUps("broken")).toHaveLength(0);
    await app.stop();
  }, 90_000);
});
