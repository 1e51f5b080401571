/**
 * The app's own path (probot.receive, nock for GitHub, the Cloud Run emulator, the Secret Manager stand-in through the
 * real clients): the diagnosis comment says whether the fix will work, and gives the commands that must run first.
 */
import nock from "nock";
import type { AppWiring } from "../../src/use-cases/app-wiring.js";
import { parseAllowedProjects } from "../../src/domain/config/allowed-projects.js";
import { fetchSecretFacts } from "../../src/adapters/secret-manager/fetch-secret-facts.js";
import { APP_ID, TRIAGE_PERMISSION } from "../support/probot.js";
import { EXAMPLE_SENDER, labeledPayload } from "../../dev/webhook-payloads.js";
import { testApp, useCloudRunEmulator } from "../support/test-app.js";
import { API, mockInstallationToken, mockStructureReads, mockTriageReads } from "../support/github-mocks.js";
import { useSecretManagerEmulator } from "../support/use-secret-manager-emulator.js";
import { buildService, projectNumberFor } from "../../dev/cloud-run-fixtures.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const REPO = `/repos/${owner}/${repo}`;
const cloudRun = useCloudRunEmulator({ blockNetwork: true });
const secretManager = useSecretManagerEmulator();
beforeEach(() => {
  nock.cleanAll();
  mockInstallationToken();
  secretManager.emulator.reset();
  const member = `serviceAccount:${projectNumberFor("netra-production")}-compute@developer.gserviceaccount.com`;
  secretManager.emulator.setSecret({
    project: "netra-production",
    name: "jwt-secret-production",
    versions: ["ENABLED", "ENABLED", "ENABLED"],
    bindings: [{ role: "roles/secretmanager.secretAccessor", members: [member] }],
  });
});
afterEach(() => expect(nock.pendingMocks()).toEqual([]));

/** One triage in review mode (only the comment is written); returns the comment. */
async function triage(deps: Partial<AppWiring> = {}): Promise<string> {
  let comment = "";
  const scope = mockTriageReads(
    nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION),
    {
      config: `${scenarioConfigYaml}\nmode: review\n`,
    },
  );
  // The plan shows the milestones and types the follow-ups would get.
  mockStructureReads(scope)
    // Before planning follow-ups: who the app is (asked once per process), and what it opened before.
    .get("/app")
    .optionally()
    .reply(200, { id: APP_ID, slug: "config-triage" })
    .get(`${REPO}/issues`)
    .query((q) => q.creator === "config-triage[bot]" && q.state === "all")
    .reply(200, [])
    .post(`${REPO}/issues/930/comments`)
    .reply(201, (_uri, body: any) => {
      comment = body.body;
      return { id: 555, body: body.body };
    });
  const app = testApp(cloudRun.clients, {
    fetchSecrets: (uses, options) => fetchSecretFacts(secretManager.clients, uses, { ...options, timeoutMs: 5000 }),
    ...deps,
  });
  await app.receive({
    id: "d-1",
    name: "issues",
    payload: labeledPayload({ owner, repo, ...scenarioIssue, label: "triage:config" }) as any,
  });
  return comment;
}

describe("the fix is verified in Secret Manager before it is suggested", () => {
  it("the secret was never created: create, versions add and the grant, in order, before the fix", async () => {
    secretManager.emulator.setProject("netra-staging");
    const comment = await triage();
    const account = `${projectNumberFor("netra-staging")}-compute@developer.gserviceaccount.com`;
    expect(comment).toContain(
      [
        "```sh",
        "gcloud secrets create jwt-secret-staging --project=netra-staging --replication-policy=automatic",
        "gcloud secrets versions add jwt-secret-staging --project=netra-staging --data-file=-",
        `gcloud secrets add-iam-policy-binding jwt-secret-staging --project=netra-staging ` +
          `--member=serviceAccount:${account} --role=roles/secretmanager.secretAccessor`,
        "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
          "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
        "```",
      ].join("\n"),
    );
    expect(comment).toContain("⛔ the fix alone would fail");
    expect(secretManager.emulator.calls.map((c) => c.method)).not.toContain("AccessSecretVersion");
  });

  it("the secret is there and readable: this fix will work", async () => {
    const member = `serviceAccount:${projectNumberFor("netra-staging")}-compute@developer.gserviceaccount.com`;
    secretManager.emulator.setSecret({
      project: "netra-staging",
      name: "jwt-secret-staging",
      versions: ["ENABLED"],
      bindings: [{ role: "roles/secretmanager.secretAccessor", members: [member] }],
    });
    const comment = await triage();
    expect(comment).toContain(
      "Checked in Secret Manager: ✅ this fix will work: secret `jwt-secret-staging` exists in project `netra-staging`",
    );
  });
});

describe("a secret in another project (confused deputy)", () => {
  /** Staging's auth-service reads its secret from `netra-shared`: that reference is verified in that project. */
  function readFromShared() {
    const shared = { secret: "projects/netra-shared/secrets/jwt-secret-staging", version: "latest" };
    const auth = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "auth-service",
      env: { JWT_SECRET_STAGING: shared, API_KEY: "k" },
    });
    cloudRun.emulator.setService(auth.service);
    for (const r of auth.revisions) cloudRun.emulator.setRevision(r);
    secretManager.emulator.setProject("netra-shared");
    secretManager.emulator.setSecret({ project: "netra-shared", name: "jwt-secret-staging", versions: ["ENABLED"] });
  }
  afterEach(() => {
    const { services, revisions } = scenarioServices();
    for (const s of services) cloudRun.emulator.setService(s);
    for (const r of revisions) cloudRun.emulator.setRevision(r);
  });
  const touched = (project: string) =>
    secretManager.emulator.calls.filter((c) => JSON.stringify(c.request).includes(`projects/${project}`));

  it("is not read when the operator did not allow that project for the installation", async () => {
    readFromShared();
    secretManager.emulator.setProject("netra-staging");
    const allowedProjects = parseAllowedProjects(`${owner}=netra-staging,netra-production`);
    const comment = await triage({ allowedProjects });
    expect(touched("netra-shared")).toEqual([]);
    expect(comment).toContain("could not verify that secret `jwt-secret-staging` exists in project `netra-shared`");
    expect(comment).toContain(
      "project `netra-shared` is not allowed for this installation by `CONFIG_TRIAGE_ALLOWED_PROJECTS`",
    );
  });

  it("is read when it is allowed", async () => {
    readFromShared();
    secretManager.emulator.setProject("netra-staging");
    const allowedProjects = parseAllowedProjects(`${owner}=netra-staging,netra-production,netra-shared`);
    const comment = await triage({ allowedProjects });
    expect(touched("netra-shared").length).toBeGreaterThan(0);
    // What netra-shared said: the secret exists there, but auth-service's account holds no role that reads it.
    expect(comment).toContain("no role with `secretmanager.versions.access` on the secret or project `netra-shared`");
  });
});
