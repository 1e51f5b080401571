/**
 * End to end: a burst of 50 labelled issues across 5 repositories (5 installations) at once, on one instance. Every
 * delivery is acknowledged before any work is done; every issue ends with exactly one comment and one follow-up, and
 * nothing is written twice. It checks exactly-once, not the pacing: how long the burst takes against GitHub's pacing
 * bound is measured by `npm run bench` (BENCH_ONLY=burst). With Probot's real pacing, each installation paced on its
 * own, it takes about a minute here (`BURST_PER_REPO` changes the size). One follow-up per issue (repo config) keeps
 * each run to three content writes.
 */
import { labeledPayload } from "../../dev/webhook-payloads.js";
import { waitFor, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";

const REPOS = ["alpha", "beta", "gamma", "delta", "epsilon"].map((name, i) => ({
  full: `burst-org/${name}`,
  name,
  installation: 11 + i,
}));
const ISSUES_PER_REPO = Number(process.env.BURST_PER_REPO) || 10;
const config = scenarioConfigYaml.replace(
  /follow_ups:[\s\S]*$/,
  "follow_ups:\n  - { template: flow-documentation, when: always }\n",
);

const e2e = useE2E({ appId: 34 });
let app: AppProcess;

beforeAll(async () => {
  // The deployment lets the burst's organisation check the scenario's projects (nothing is allowed unset).
  app = await e2e.start({
    QUEUE_CONCURRENCY: "10",
    CONFIG_TRIAGE_ALLOWED_PROJECTS: "burst-org=netra-staging,netra-production",
  });
});

it("a burst of labelled issues in 5 repositories: all acknowledged at once, each triaged exactly once", async () => {
  const deliveries: Array<{ repo: (typeof REPOS)[number]; number: number; payload: any }> = [];
  for (const repo of REPOS) {
    e2e.github.addRepo(repo.full, {
      files: { ".github/config-triage.yml": config },
      installationId: repo.installation,
      collaborators: { "sre-lead": "triage" },
    });
    for (let number = 1; number <= ISSUES_PER_REPO; number++) {
      e2e.github.addIssue(repo.full, {
        number,
        title: `${scenarioIssue.title} (${number})`,
        body: scenarioIssue.body,
        user: { login: "sre-lead", type: "User" },
      });
      const payload = labeledPayload({
        owner: "burst-org",
        repo: repo.name,
        number,
        title: `${scenarioIssue.title} (${number})`,
        body: scenarioIssue.body,
        label: "triage:config",
        sender: "sre-lead",
      });
      payload.installation.id = repo.installation;
      deliveries.push({ repo, number, payload });
    }
  }
  const started = Date.now();
  const statuses = await Promise.all(deliveries.map((d) => app.deliver("issues", d.payload)));
  expect(statuses).toEqual(deliveries.map(() => 202));
  // Acknowledged before the work: at that moment at most the first few runs have written anything.
  const commentsAtAck = REPOS.flatMap((r) => e2e.github.issues(r.full)).reduce((n, i) => n + i.comments.length, 0);
  expect(commentsAtAck).toBeLessThan(deliveries.length);

  const done = () =>
    deliveries.every((d) =>
      e2e.github.issue(d.repo.full, d.number)!.comments.some((c) => c.user.login === e2e.github.botLogin),
    )
      ? true
      : undefined;
  await waitFor("every issue's diagnosis comment", done, 360_000).catch((error) => {
    const writes = e2e.github.requests
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.at - started} ${r.method} ${r.path} ${r.status}`);
    throw new Error(`${error}\n${writes.join("\n")}\n${app.logs.join("").slice(-4000)}`);
  });
  for (const d of deliveries) {
    const parent = e2e.github.issue(d.repo.full, d.number)!;
    const comments = parent.comments.filter((c) => c.user.login === e2e.github.botLogin);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).not.toContain("could not finish");
    const children = e2e.github.issues(d.repo.full).filter((i) => i.parent === parent.id);
    expect(children).toHaveLength(1);
  }
  const followUps = REPOS.flatMap((r) => e2e.github.issues(r.full).filter((i) => i.user.login === e2e.github.botLogin));
  expect(followUps).toHaveLength(deliveries.length);
  expect(e2e.github.violations).toEqual([]);
  expect(e2e.github.maxConcurrent).toBeLessThanOrEqual(100);
}, 400_000);
