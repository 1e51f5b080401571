/**
 * The offline snapshot and the health probe through `probot.receive`: an environment with `snapshot:` is read from the
 * repository through the GitHub API (nock), another live from the Cloud Run emulator, with `health:` requesting a
 * local HTTP server. The comment says where the data came from, how old the snapshot is, and each probe's answer.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { createCloudRunClients, type CloudRunClients } from "../../src/adapters/cloud-run/create-clients.js";
import { parseConfigText } from "../../src/domain/config/parse-config.js";
import { gatherLiveState } from "../../src/use-cases/triage/gather-live-state.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../dev/cloud-run-emulator.js";
import { buildService } from "../../dev/cloud-run-fixtures.js";
import { API, mockInstallationToken, mockTriageReads } from "../support/github-mocks.js";
import { TRIAGE_PERMISSION } from "../support/probot.js";
import { EXAMPLE_SENDER, labeledPayload } from "../../dev/webhook-payloads.js";
import { testApp } from "../support/test-app.js";

const owner = "acme";
const repo = "shop";
const REPO = `/repos/${owner}/${repo}`;
const SNAPSHOT = "ops/cloud-run/production.yaml";
const VALUE = "pl4nted-literal-in-snapshot";

const CONFIG = `environments:
  staging:
    project: acme-staging
    region: us-central1
    services: [api, worker]
    health:
      path: /health
      timeout_ms: 2000
  production:
    project: acme-production
    region: us-central1
    services: [api]
    snapshot: ${SNAPSHOT}
checks:
  - variable: JWT_SECRET_STAGING
    environments: [staging]
  - variable: JWT_SECRET_PRODUCTION
    environments: [production]
follow_ups: []
on_pass: comment
`;

/** What `gcloud run services describe api --format yaml` prints, trimmed; the literal's value must never be shown. */
const SNAPSHOT_YAML = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  generation: 12
spec:
  template:
    metadata:
      name: api-00012-abc
    spec:
      containers:
      - image: us-central1-docker.pkg.dev/acme-production/cloud-run-source-deploy/api:latest
        ports:
        - containerPort: 8080
        env:
        - name: LOG_LEVEL
          value: ${VALUE}
        - name: JWT_SECRET_PRODUCTION
          valueFrom:
            secretKeyRef:
              name: jwt-secret-production
              key: latest
status:
  observedGeneration: 12
  latestReadyRevisionName: api-00012-abc
  latestCreatedRevisionName: api-00012-abc
  url: https://api-xyz-uc.a.run.app
  traffic:
  - latestRevision: true
    percent: 100
    revisionName: api-00012-abc
  conditions:
  - type: Ready
    status: 'True'
`;

let emulator: CloudRunEmulator;
let clients: CloudRunClients;
let server: Server;
let base = "";
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/api/health") res.writeHead(200).end("ok");
    else res.writeHead(503).end("unavailable");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator = await startCloudRunEmulator();
  for (const name of ["api", "worker"]) {
    const built = buildService({
      project: "acme-staging",
      region: "us-central1",
      name,
      env: { JWT_SECRET_STAGING: { secret: "jwt-secret-staging" } },
      uri: `${base}/${name}`,
    });
    emulator.setService(built.service);
    for (const r of built.revisions) emulator.setRevision(r);
  }
  clients = createCloudRunClients(emulator.address);
  // GitHub only through nock; the health probes reach the local server.
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});

afterAll(async () => {
  await clients.close();
  await emulator.close();
  await new Promise((resolve) => server.close(resolve));
  nock.enableNetConnect();
});

beforeEach(() => {
  hits.length = 0;
  nock.cleanAll();
  mockInstallationToken();
  // The label counts: whoever added it has the triage role.
  nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION);
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

const app = () => testApp(clients);

/** CONFIG with `health:` on the snapshot environment too; the snapshot's `status.url` points at the local server. */
const PROBING_SNAPSHOT = CONFIG.replace(
  `    snapshot: ${SNAPSHOT}\n`,
  `    snapshot: ${SNAPSHOT}\n    health:\n      path: /health\n`,
);
const snapshotAt = (url: string) => SNAPSHOT_YAML.replace("url: https://api-xyz-uc.a.run.app", `url: ${url}`);

/** The reads of a first triage, then the one comment it posts (returned through `out`). */
function mockTriage(snapshot: () => nock.Interceptor, out: { body?: string }) {
  const scope = mockTriageReads(nock(API), { repo: REPO, number: 7, config: CONFIG });
  snapshot().reply(200, SNAPSHOT_YAML, { "content-type": "text/plain; charset=utf-8" });
  scope
    .post(`${REPO}/issues/7/comments`)
    .reply(201, (_uri, body: any) => ((out.body = body.body), { id: 555, body: body.body }));
  return scope;
}

const labeled = () => ({
  id: "delivery-7",
  name: "issues" as const,
  payload: labeledPayload({
    owner,
    repo,
    number: 7,
    title: "JWT failures",
    body: "Logins fail on staging.",
    label: "triage:config",
  }) as any,
});

describe("snapshot and health through probot.receive", () => {
  it("reads production from the snapshot via GitHub, says so and its age, probes staging's health URLs", async () => {
    const out: { body?: string } = {};
    const taken = new Date(Date.now() - 3 * 86_400_000 - 3_600_000).toISOString();
    mockTriage(() => nock(API).get(`${REPO}/contents/${encodeURIComponent(SNAPSHOT)}`), out);
    nock(API)
      .get(`${REPO}/commits`)
      .query({ path: SNAPSHOT, per_page: "1" })
      .reply(200, [{ sha: "f00", commit: { committer: { date: taken }, author: { date: taken } } }]);

    await app().receive(labeled());

    const comment = out.body ?? "";
    expect(comment).toContain(
      `> 📄 Not live: read from the snapshot \`${SNAPSHOT}\` (taken ${taken.slice(0, 10)}, 3 days old)`,
    );
    expect(comment).toContain("partly from snapshots");
    // The snapshot's service is diagnosed like a live one; its literal's value never leaves the process.
    expect(comment).toMatch(
      /\| `api` \| `JWT_SECRET_PRODUCTION` \| ✅ set \| Secret Manager `jwt-secret-production` version `latest`/,
    );
    expect(comment).not.toContain(VALUE);
    // Health: status and latency for each staging service; the failing one is a problem with a command.
    expect(hits.sort()).toEqual(["/api/health", "/worker/health"]);
    expect(comment).toContain("#### Health checks");
    expect(comment).toMatch(
      new RegExp(`\\| staging \\| \`api\` \\| \`${base}/api/health\` \\| ✅ 200 \\| \\d+ ms \\|`),
    );
    expect(comment).toMatch(
      new RegExp(`\\| staging \\| \`worker\` \\| \`${base}/worker/health\` \\| ❌ 503 \\| \\d+ ms \\|`),
    );
    expect(comment).toMatch(/the health check of staging \/ worker failed: HTTP 503 after \d+ ms/);
    expect(comment).toContain(
      "gcloud run services logs read worker --project=acme-staging --region=us-central1 --limit=50",
    );
    // The snapshot environment is not probed (its URL is the real service's), and not read from Cloud Run.
    expect(emulator.calls.every((c) => String(c.request.parent ?? c.request.name).includes("acme-staging"))).toBe(true);
  });

  it("never requests a URL from a snapshot file (SSRF): the snapshot service is listed as not probed", async () => {
    const out: { body?: string } = {};
    const scope = mockTriageReads(nock(API), { repo: REPO, number: 7, config: PROBING_SNAPSHOT });
    scope
      .get(`${REPO}/contents/${encodeURIComponent(SNAPSHOT)}`)
      .reply(200, snapshotAt(`${base}/internal-admin`), { "content-type": "text/plain" });
    scope.get(`${REPO}/commits`).query({ path: SNAPSHOT, per_page: "1" }).reply(200, []);
    scope
      .post(`${REPO}/issues/7/comments`)
      .reply(201, (_uri, body: any) => ((out.body = body.body), { id: 555, body: body.body }));

    await app().receive(labeled());

    // Only the live staging URLs (from the Cloud Run API) were requested.
    expect(hits.sort()).toEqual(["/api/health", "/worker/health"]);
    expect(out.body).toContain("Not probed: production / `api`, read from a snapshot.");
    expect(out.body).not.toContain("internal-admin");
  });

  it("a snapshot-only check runs offline: no Cloud Run call, no probe", async () => {
    nock.cleanAll(); // no GitHub at all here: the file's shared mocks are for the triages through probot.receive
    const parsed = parseConfigText(
      PROBING_SNAPSHOT.replace(/ {2}staging:[\s\S]*?(?= {2}production:)/, "").replace(
        / {2}- variable: JWT_SECRET_STAGING\n.*\n/,
        "",
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config = parsed.config;
    const calls: string[] = [];
    const live = await gatherLiveState(config, {
      fetchLive: async () => (calls.push("cloud run"), { source: "live", fetchedAt: "", services: [] }),
      readSnapshot: async () => ({ text: snapshotAt(`${base}/internal-admin`) }),
      probe: async (url) => (calls.push(url), { url, ok: true, latencyMs: 0 }),
    });
    expect(calls).toEqual([]);
    expect(hits).toEqual([]);
    expect(live.source).toBe("snapshot");
    expect(live.unprobed).toEqual([
      { environment: "production", project: "acme-production", region: "us-central1", service: "api" },
    ]);
  });

  it("a snapshot not on the default branch: names its path and config key; staging is still checked", async () => {
    const out: { body?: string } = {};
    mockTriageReads(nock(API), { repo: REPO, number: 7, config: CONFIG })
      .get(`${REPO}/contents/${encodeURIComponent(SNAPSHOT)}`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/issues/7/comments`)
      .reply(201, (_uri, body: any) => ((out.body = body.body), { id: 555, body: body.body }));

    await app().receive(labeled());

    const comment = out.body ?? "";
    expect(comment).toContain("#### Could not check");
    expect(comment).toContain("could not check production / api: the snapshot file cannot be used");
    expect(comment).toContain(
      `\`environments.production.snapshot\` in \`.github/config-triage.yml\` names \`${SNAPSHOT}\`, which does not ` +
        `exist on the default branch: commit the output of \`gcloud run services describe SERVICE --format yaml\` ` +
        `there, or remove \`snapshot:\` from environment \`production\``,
    );
    expect(comment).toMatch(/\| `api` \| `JWT_SECRET_STAGING` \| ✅ set \|/);
  });
});
