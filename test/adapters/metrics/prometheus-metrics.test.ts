import { PassThrough } from "node:stream";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { createCloudRunClients } from "../../../src/adapters/cloud-run/create-clients.js";
import { instrumentCloudRunClients } from "../../../src/adapters/cloud-run/instrument-clients.js";
import { fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { createLogger } from "../../../src/entry/server/create-logger.js";
import {
  createMetrics,
  githubRequestMetrics,
  timeCloudRunCall,
  triageObserver,
  routeTemplate,
} from "../../../src/adapters/metrics/prometheus-metrics.js";
import { GrpcStatus, startCloudRunEmulator } from "../../../dev/cloud-run-emulator.js";
import { scenarioServices } from "../../../dev/scenario.js";
import { observeTriage } from "../../../src/use-cases/triage/run-triage.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

test("GitHub requests are counted by method, route template and status", async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const Octokit = ProbotOctokit.plugin(githubRequestMetrics(metrics)).defaults({
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const octokit = new Octokit({ auth: "token x" });
  nock("https://api.github.com")
    .get("/repos/o/r/issues/1/comments")
    .reply(200, [])
    .post("/repos/o/r/issues/1/comments")
    .reply(201, { id: 1 })
    .get("/repos/o/r/contents/x")
    .reply(404, { message: "Not Found" });
  await octokit.rest.issues.listComments({ owner: "o", repo: "r", issue_number: 1 });
  await octokit.rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" });
  await octokit.rest.repos.getContent({ owner: "o", repo: "r", path: "x" }).catch(() => undefined);
  const text = await metrics.registry.metrics();
  expect(text).toContain(
    'config_triage_github_requests_total{method="GET",route="/repos/{owner}/{repo}/issues/{issue_number}/' +
      'comments",status="200"} 1',
  );
  expect(text).toContain(
    'config_triage_github_requests_total{method="POST",route="/repos/{owner}/{repo}/issues/{issue_number}/' +
      'comments",status="201"} 1',
  );
  expect(text).toContain(
    'config_triage_github_requests_total{method="GET",route="/repos/{owner}/{repo}/contents/{path}",status="404"} 1',
  );
});

test("pages, literal routes, many repositories and issues: the same few series, naming no repository", async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const Octokit = ProbotOctokit.plugin(githubRequestMetrics(metrics)).defaults({
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const octokit = new Octokit({ auth: "token x" });
  const series = async () =>
    (await metrics.registry.getSingleMetric("config_triage_github_requests_total")!.get()).values.length;
  const triage = async (repo: string, number: number) => {
    const path = `/repos/secret-org/${repo}/issues/${number}/comments`;
    // Two pages: the second is requested at the expanded URL GitHub's Link header gives.
    nock("https://api.github.com")
      .get(path)
      .query(true)
      .reply(200, [{ id: 1 }], {
        link:
          `<https://api.github.com/repositories/${900 + number}/issues/${number}/comments?per_page=1&page=2>; ` +
          `rel="next"`,
      })
      .get(`/repositories/${900 + number}/issues/${number}/comments`)
      .query(true)
      .reply(200, [{ id: 2 }])
      .get(`/repos/secret-org/${repo}/contents/ops%2F${repo}.yaml`)
      .reply(200, "x")
      .get(`/repos/secret-org/${repo}/labels/${repo}-label`)
      .reply(200, {});
    await octokit.paginate(octokit.rest.issues.listComments, {
      owner: "secret-org",
      repo,
      issue_number: number,
      per_page: 1,
    });
    await octokit.request(`GET /repos/secret-org/${repo}/contents/ops%2F${repo}.yaml`);
    await octokit.request(`GET /repos/secret-org/${repo}/labels/${repo}-label`);
  };
  await triage("payments-api", 1);
  const after = await series();
  for (let i = 2; i <= 40; i++) await triage(`repo-${i}`, i);
  expect(await series()).toBe(after);
  const text = await metrics.registry.metrics();
  expect(text).not.toMatch(/secret-org|repo-\d|payments-api|ops%2F/);
  expect(text).toContain('route="/repositories/{id}/issues/{id}/comments"');
});

test.each([
  ["/repos/{owner}/{repo}/issues", "/repos/{owner}/{repo}/issues"],
  ["https://ghe.example/api/v3/repos/a/b/contents/x/y.md?ref=main", "/repos/{owner}/{repo}/contents/{path}"],
  ["https://api.github.com/repositories/12/issues/3/sub_issues?page=2", "/repositories/{id}/issues/{id}/sub_issues"],
  ["/repos/a/b/collaborators/alice/permission", "/repos/{owner}/{repo}/collaborators/{param}/permission"],
  ["/app/installations/77/access_tokens", "/app/installations/{id}/access_tokens"],
  ["/graphql", "/graphql"],
])("routeTemplate(%s) = %s", (url, expected) => {
  expect(routeTemplate(url)).toBe(expected);
});

test("Cloud Run calls are timed by method and gRPC status", async () => {
  const emulator = await startCloudRunEmulator(scenarioServices());
  const metrics = createMetrics({ defaultMetrics: false });
  const clients = instrumentCloudRunClients(createCloudRunClients(emulator.address), (method, call) =>
    timeCloudRunCall(metrics, method, call),
  );
  try {
    emulator.addFault({ name: "projects/netra-production", code: GrpcStatus.PERMISSION_DENIED, details: "denied" });
    const target = (project: string) => ({
      environment: "e",
      project,
      region: "us-central1",
      service: "netra-backend",
    });
    await fetchLiveState(clients, [target("netra-staging"), target("netra-production")], { timeoutMs: 5000 });
    const text = await metrics.registry.metrics();
    // One list per project and region; a refused list falls back to GetService, refused too here.
    expect(text).toContain('config_triage_cloud_run_request_duration_seconds_count{method="ListServices",code="OK"} 1');
    expect(text).toContain(
      'config_triage_cloud_run_request_duration_seconds_count{method="ListServices",code="PERMISSION_DENIED"} 1',
    );
    expect(text).toContain(
      'config_triage_cloud_run_request_duration_seconds_count{method="GetService",code="PERMISSION_DENIED"} 1',
    );
  } finally {
    await clients.close();
    await emulator.close();
  }
});

test("triages are counted and timed by outcome, errors included, and the in-flight gauge returns to 0", async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const observer = triageObserver(metrics);
  await observeTriage(
    observer,
    async () => "fail",
    (o) => o,
  );
  await observeTriage(
    observer,
    async () => "pass",
    (o) => o,
  );
  await expect(
    observeTriage(
      observer,
      async () => Promise.reject(new Error("boom")),
      (o) => o,
    ),
  ).rejects.toThrow("boom");
  const text = await metrics.registry.metrics();
  for (const outcome of ["fail", "pass", "error"]) {
    expect(text).toContain(`config_triage_triages_total{outcome="${outcome}"} 1`);
    expect(text).toContain(`config_triage_triage_duration_seconds_count{outcome="${outcome}"} 1`);
  }
  expect(text).toContain("config_triage_triages_in_flight 0");
  expect(text).toContain("config_triage_queue_depth 0");
});

test.each([
  ["info", "INFO"],
  ["warn", "WARNING"],
  ["error", "ERROR"],
  ["fatal", "CRITICAL"],
] as const)(
  "LOG_FORMAT=json: a %s line is JSON with Cloud Logging severity %s and `message`",
  async (level, severity) => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (c) => chunks.push(String(c)));
    const log = createLogger({ logFormat: "json", logLevel: "trace" }, out)!;
    log.child({ name: "probot" })[level]({ issue: 930 }, "triage finished");
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(chunks.join(""));
    expect(entry).toMatchObject({
      severity,
      level,
      message: "triage finished",
      issue: 930,
      name: "probot",
      service: "config-triage",
    });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  },
);

test("without LOG_FORMAT=json, Probot keeps its own logger", () => {
  expect(createLogger({ logFormat: "pretty", logLevel: "info" })).toBeUndefined();
});
