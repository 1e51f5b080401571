/**
 * End to end: a burst of 50 labelled issues across 5 repositories (5 installations) at once, on one instance, as the
 * issue asks (about 2 minutes on 2 CPUs: Probot paces each installation's writes; `BURST_PER_REPO` changes it). Every
 * delivery is acknowledged before any work is done; every issue ends with exactly one comment and one follow-up.
 * One follow-up per issue (repo config) keeps each run to three content writes.
 */
import { startCloudRunEmulator, type CloudRunEmulator } from "../support/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../support/github-standin.js";
import { labeledPayload } from "../support/probot.js";
import { appEnv, randomUUID, startApp, waitFor, type AppProcess } from "../support/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../fixtures/scenario.js";

const APP_ID = 34;
const SECRET = `e2e-${randomUUID()}`;
const REPOS = ["alpha", "beta", "gamma", "delta", "epsilon"].map((name, i) => ({ full: `burst-org/${name}`, name, installation: 11 + i }));
const ISSUES_PER_REPO = Number(process.env.BURST_PER_REPO) || 10;
const config = scenarioConfigYaml.replace(/follow_ups:[\s\S]*$/, "follow_ups:\n  - { template: flow-documentation, when: always }\n");

let github: GitHubStandIn;
let cloudRun: CloudRunEmulator;
let app: AppProcess;

beforeAll(async () => {
  cloudRun = await startCloudRunEmulator(scenarioServices());
  github = await startGitHubStandIn({ appId: APP_ID });
  app = await startApp({
    env: appEnv({ appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET }, { QUEUE_CONCURRENCY: "10" }),
  });
});

afterAll(async () => {
  await app?.stop();
  await github?.close();
  await cloudRun?.close();
});

it("a burst of labelled issues across 5 repositories: all acknowledged at once, each triaged exactly once", async () => {
  const deliveries: Array<{ repo: (typeof REPOS)[number]; number: number; payload: any }> = [];
  for (const repo of REPOS) {
    github.addRepo(repo.full, { files: { ".github/config-triage.yml": config }, installationId: repo.installation, collaborators: { "sre-lead": "triage" } });
    for (let number = 1; number <= ISSUES_PER_REPO; number++) {
      github.addIssue(repo.full, { number, title: `${scenarioIssue.title} (${number})`, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } });
      const payload = labeledPayload({ owner: "burst-org", repo: repo.name, number, title: `${scenarioIssue.title} (${number})`, body: scenarioIssue.body, label: "triage:config", sender: "sre-lead" });
      payload.installation.id = repo.installation;
      deliveries.push({ repo, number, payload });
    }
  }
  const started = Date.now();
  const statuses = await Promise.all(deliveries.map((d) => app.deliver("issues", d.payload)));
  expect(statuses).toEqual(deliveries.map(() => 202));
  // Acknowledged before the work: at that moment at most the first few runs have written anything.
  const commentsAtAck = REPOS.flatMap((r) => github.issues(r.full)).reduce((n, i) => n + i.comments.length, 0);
  expect(commentsAtAck).toBeLessThan(deliveries.length);

  const done = () =>
    deliveries.every((d) => github.issue(d.repo.full, d.number)!.comments.some((c) => c.user.login === github.botLogin)) ? true : undefined;
  await waitFor("every issue's diagnosis comment", done, 360_000).catch((error) => {
    const writes = github.requests.filter((r) => r.method !== "GET").map((r) => `${r.at - started} ${r.method} ${r.path} ${r.status}`);
    throw new Error(`${error}\n${writes.join("\n")}\n${app.logs.join("").slice(-4000)}`);
  });
  for (const d of deliveries) {
    const parent = github.issue(d.repo.full, d.number)!;
    expect(parent.comments.filter((c) => c.user.login === github.botLogin)).toHaveLength(1);
    const children = github.issues(d.repo.full).filter((i) => i.parent === parent.id);
    expect(children).toHaveLength(1);
  }
  const followUps = REPOS.flatMap((r) => github.issues(r.full).filter((i) => i.user.login === github.botLogin));
  expect(followUps).toHaveLength(deliveries.length);
  expect(github.violations).toEqual([]);
  expect(github.maxConcurrent).toBeLessThanOrEqual(100);
}, 400_000);
