/**
 * "Verify the fix" (issue 13): every Secret Manager reference the diagnosis finds or proposes is checked with the real
 * @google-cloud/secret-manager and @google-cloud/resource-manager clients against the local gRPC stand-in, metadata
 * only, and the diagnosis says "this fix will work" or gives the commands that must run first, in order.
 */
import { probeHealth } from "../../../src/adapters/cloud-run/probe-health.js";
import { beforeEach, describe, expect, it } from "@jest/globals";
import { parseConfig } from "../../../src/domain/config/parse-config.js";
import { evaluate, type Diagnosis } from "../../../src/domain/diagnosis/evaluate.js";
import { fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { fetchSecretFacts } from "../../../src/adapters/secret-manager/fetch-secret-facts.js";
import type { SecretFetchOptions } from "../../../src/domain/diagnosis/live-state.js";
import { gatherLiveState } from "../../../src/use-cases/triage/gather-live-state.js";
import { verifySecretUse } from "../../../src/domain/diagnosis/verify-secret-use.js";
import { GoogleCredentialsError } from "../../../src/adapters/cloud-run/create-clients.js";
import { resolveRequirements } from "../../../src/domain/diagnosis/resolve-requirements.js";
import { renderDiagnosisComment } from "../../../src/rendering/render-diagnosis.js";
import { GrpcStatus } from "../../../dev/cloud-run-emulator.js";
import { buildService, projectNumberFor, type EnvSpec } from "../../../dev/cloud-run-fixtures.js";
import type { Binding } from "../../../dev/secret-manager-emulator.js";
import { useSecretManagerEmulator } from "../../support/use-secret-manager-emulator.js";
import { useCloudRunEmulator } from "../../support/test-app.js";

const P = "acme-staging";
const R = "us-central1";
const SA = `api@${P}.iam.gserviceaccount.com`;
const ACCESSOR: Binding = { role: "roles/secretmanager.secretAccessor", members: [`serviceAccount:${SA}`] };
const UPDATE = `gcloud run services update api --project=${P} --region=${R}`;
const FIX = `${UPDATE} --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest`;
const CREATE = `gcloud secrets create jwt-secret-staging --project=${P} --replication-policy=automatic`;
const ADD = `gcloud secrets versions add jwt-secret-staging --project=${P} --data-file=-`;
const GRANT =
  `gcloud secrets add-iam-policy-binding jwt-secret-staging --project=${P} --member=serviceAccount:${SA} ` +
  `--role=roles/secretmanager.secretAccessor`;

const cloudRun = useCloudRunEmulator({ serve: {} });
const secretManager = useSecretManagerEmulator();
beforeEach(() => {
  secretManager.emulator.reset();
  secretManager.emulator.setProject(P);
  cloudRun.emulator.removeService(`projects/${P}/locations/${R}/services/api`);
});

function deploy(env: EnvSpec, o: { serviceAccount?: string; anonymous?: boolean } = {}) {
  const built = buildService({ project: P, region: R, name: "api", env, serviceAccount: o.serviceAccount ?? SA });
  if (o.anonymous) {
    // A service that shows neither its account nor its number: the default compute account needs GetProject.
    delete built.service.template!.serviceAccount;
    built.service.urls = [];
    for (const r of built.revisions) delete r.serviceAccount;
  }
  cloudRun.emulator.setService(built.service);
  for (const r of built.revisions) cloudRun.emulator.setRevision(r);
}

async function diagnose(
  options: SecretFetchOptions = {},
  checkEntry: Record<string, unknown> = { variable: "JWT_SECRET_STAGING", from: "secret-manager" },
): Promise<Diagnosis> {
  const parsed = parseConfig({
    environments: { staging: { project: P, region: R, services: ["api"] } },
    checks: [checkEntry],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const checks = resolveRequirements(parsed.config, { title: "", body: "" });
  const live = await gatherLiveState(parsed.config, {
    probe: probeHealth,
    fetchLive: (targets) => fetchLiveState(cloudRun.clients, targets),
    readSnapshot: async () => undefined,
    fetchSecrets: (uses) => fetchSecretFacts(secretManager.clients, uses, options),
    checks,
  });
  const d = evaluate(checks, live);
  renderDiagnosisComment({ diagnosis: d, followUps: [], outcome: "open", live, checks }); // renders without error
  return d;
}

const missing = (d: Diagnosis) => d.problems.find((p) => p.key.startsWith("missing:"))!;

describe("a proposed fix is verified before it is suggested", () => {
  it.each<{
    name: string;
    setup: () => void;
    fix: string[];
    verified: string;
    deploy?: Parameters<typeof deploy>[1];
    options?: SecretFetchOptions;
  }>([
    {
      name: "the secret exists, latest is ENABLED and the runtime account may read it: this fix will work",
      setup: () =>
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["DISABLED", "ENABLED"],
          bindings: [ACCESSOR],
        }),
      fix: [FIX],
      verified:
        `✅ this fix will work: secret \`jwt-secret-staging\` exists in project \`${P}\`; version \`latest\` (2) is ` +
        `ENABLED; \`${SA}\` holds an access role on the secret`,
    },
    {
      name: "the secret does not exist: create it, add a version from stdin, grant access, then the fix",
      setup: () => undefined,
      fix: [CREATE, ADD, GRANT, FIX],
      verified:
        `⛔ the fix alone would fail (the next deploy stops with \`SECRETS_ACCESS_CHECK_FAILED\`): secret ` +
        `\`jwt-secret-staging\` does not exist in project \`${P}\`. Run the first 3 commands first, in order; ` +
        `\`versions add\` reads the value from standard input: a person types or pipes it, the app never sees it`,
    },
    {
      name: "latest is DISABLED: enable it first",
      setup: () =>
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["ENABLED", "DISABLED"],
          bindings: [ACCESSOR],
        }),
      fix: [`gcloud secrets versions enable 2 --secret=jwt-secret-staging --project=${P}`, FIX],
      verified: "version `latest` (2) is DISABLED",
    },
    {
      name: "latest is DESTROYED: add a version first",
      setup: () =>
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["DESTROYED"],
          bindings: [ACCESSOR],
        }),
      fix: [ADD, FIX],
      verified: "version `latest` is DESTROYED",
    },
    {
      name: "the secret has no version at all",
      setup: () =>
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: [],
          bindings: [ACCESSOR],
        }),
      fix: [ADD, FIX],
      verified: "version `latest` does not exist",
    },
    {
      name: "the account has no grant on the secret or the project: grant first",
      setup: () => {
        secretManager.emulator.setProject(P, {
          bindings: [{ role: "roles/viewer", members: [`serviceAccount:${SA}`] }],
        });
        secretManager.emulator.setSecret({ project: P, name: "jwt-secret-staging", versions: ["ENABLED"] });
      },
      fix: [GRANT, FIX],
      verified:
        `\`${SA}\` may not read it ` +
        `(no role with \`secretmanager.versions.access\` on the secret or project \`${P}\`)`,
    },
    {
      name: "the account reads it through a project-level grant",
      setup: () => {
        secretManager.emulator.setProject(P, {
          bindings: [{ role: "roles/secretmanager.secretAccessor", members: [`serviceAccount:${SA}`] }],
        });
        secretManager.emulator.setSecret({ project: P, name: "jwt-secret-staging", versions: ["ENABLED"] });
      },
      fix: [FIX],
      verified:
        `✅ this fix will work: secret \`jwt-secret-staging\` exists in project \`${P}\`; version \`latest\` (1) is ` +
        `ENABLED; \`${SA}\` holds an access role on project \`${P}\``,
    },
    {
      name: "the project's IAM policy may not be read: could not verify project-level access, no guess",
      setup: () => {
        secretManager.emulator.setSecret({ project: P, name: "jwt-secret-staging", versions: ["ENABLED"] });
        secretManager.emulator.addFault({
          method: "GetProjectIamPolicy",
          code: GrpcStatus.PERMISSION_DENIED,
          details: "denied",
        });
      },
      fix: [FIX],
      verified:
        `❔ not verified: secret \`jwt-secret-staging\` exists in project \`${P}\`; version \`latest\` (1) is ` +
        `ENABLED; could not verify project-level access of \`${SA}\` on \`${P}\` (the app lacks ` +
        `\`resourcemanager.projects.getIamPolicy\`)`,
    },
    {
      name: "listing refused: one GetSecret per secret instead, and the verdict is the same",
      setup: () => {
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["ENABLED"],
          bindings: [ACCESSOR],
        });
        secretManager.emulator.addFault({
          method: "ListSecrets",
          code: GrpcStatus.PERMISSION_DENIED,
          details: "Permission 'secretmanager.secrets.list' denied",
        });
      },
      fix: [FIX],
      verified: "✅ this fix will work",
    },
    {
      name: "Secret Manager refuses everything: could not verify, never missing",
      setup: () =>
        secretManager.emulator.addFault({ code: GrpcStatus.PERMISSION_DENIED, details: "Permission denied" }),
      fix: [FIX],
      verified:
        `❔ not verified: could not verify that secret \`jwt-secret-staging\` exists in project \`${P}\` (the app ` +
        `lacks \`secretmanager.secrets.get\`)`,
    },
    {
      name:
        "the default compute account, named from the project's number (GetProject) when the service and the listing " +
        "show none",
      deploy: { anonymous: true },
      setup: () => {
        secretManager.emulator.addFault({
          method: "ListSecrets",
          code: GrpcStatus.PERMISSION_DENIED,
          details: "Permission 'secretmanager.secrets.list' denied",
        });
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["ENABLED"],
          bindings: [
            {
              role: "roles/secretmanager.secretAccessor",
              members: [`serviceAccount:${projectNumberFor(P)}-compute@developer.gserviceaccount.com`],
            },
          ],
        });
      },
      fix: [FIX],
      verified: `\`${projectNumberFor(P)}-compute@developer.gserviceaccount.com\` holds an access role on the secret`,
    },
    {
      name: "a project the installation may not check is not called: could not verify",
      options: { allowProject: (p) => p !== P },
      setup: () =>
        secretManager.emulator.setSecret({
          project: P,
          name: "jwt-secret-staging",
          versions: ["ENABLED"],
          bindings: [ACCESSOR],
        }),
      fix: [FIX],
      verified: "is not allowed for this installation by `CONFIG_TRIAGE_ALLOWED_PROJECTS`",
    },
  ])("$name", async ({ setup, fix, verified, deploy: how, options }) => {
    deploy({ LOG_LEVEL: "info" }, how);
    setup();
    const d = await diagnose(options);
    expect(missing(d).fix!.split("\n")).toEqual(fix);
    expect(missing(d).verified).toContain(verified);
    expect(
      d.problems.some((p) => /does not exist/.test(p.verified ?? "") && /could not verify/.test(p.verified ?? "")),
    ).toBe(false);
    if (how?.anonymous) expect(secretManager.emulator.calls.map((c) => c.method)).toContain("GetProject");
    if (options?.allowProject)
      expect(secretManager.emulator.calls.filter((c) => c.method !== "GetProject")).toEqual([]);
    expect(secretManager.emulator.calls.map((c) => c.method)).not.toContain("AccessSecretVersion");
  });
});

describe("a reference a service already reads is verified too", () => {
  it("a DISABLED version on a configured service is a failure: its next deploy fails", async () => {
    deploy({ JWT_SECRET_STAGING: { secret: "jwt-secret-staging", version: "1" } });
    secretManager.emulator.setSecret({
      project: P,
      name: "jwt-secret-staging",
      versions: ["DISABLED", "ENABLED"],
      bindings: [ACCESSOR],
    });
    const d = await diagnose();
    expect(d.verdict).toBe("fail");
    const p = d.problems.find((x) => x.key === "secret:staging:api:JWT_SECRET_STAGING")!;
    expect(p.what).toBe(
      "`JWT_SECRET_STAGING` on staging / api reads secret `jwt-secret-staging` version `1`, which its next deploy " +
        "cannot read: version `1` is DISABLED",
    );
    expect(p.fix).toBe(`gcloud secrets versions enable 1 --secret=jwt-secret-staging --project=${P}`);
  });

  it("a sound reference passes, and a refused check is a warning that does not fail the verdict", async () => {
    deploy({ JWT_SECRET_STAGING: { secret: "jwt-secret-staging" } });
    secretManager.emulator.setSecret({
      project: P,
      name: "jwt-secret-staging",
      versions: ["ENABLED"],
      bindings: [ACCESSOR],
    });
    expect((await diagnose()).verdict).toBe("pass");
    secretManager.emulator.addFault({ code: GrpcStatus.PERMISSION_DENIED, details: "Permission denied" });
    const d = await diagnose();
    expect(d.verdict).toBe("pass");
    expect(d.problems.map((p) => [p.key, p.severity])).toEqual([
      ["secret-unverified:staging:api:JWT_SECRET_STAGING", "warn"],
    ]);
    expect(d.problems[0].fix).toBe(
      `gcloud projects add-iam-policy-binding ${P} --member=serviceAccount:SERVICE_ACCOUNT ` +
        `--role=roles/secretmanager.viewer`,
    );
  });

  it("a project-level grant the app cannot read: a warning whose command (grant on the secret) fixes it", async () => {
    deploy({ JWT_SECRET_STAGING: { secret: "jwt-secret-staging" } });
    secretManager.emulator.setSecret({ project: P, name: "jwt-secret-staging", versions: ["ENABLED"] });
    secretManager.emulator.addFault({
      method: "GetProjectIamPolicy",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "denied",
    });
    const d = await diagnose();
    expect(d.verdict).toBe("pass");
    const p = d.problems.find((x) => x.key === "secret-unverified:staging:api:JWT_SECRET_STAGING")!;
    expect(p.why).toContain(`could not verify project-level access of \`${SA}\` on \`${P}\``);
    expect(p.fix).toBe(GRANT);
  });

  it("a secret in another project is checked in that project", async () => {
    secretManager.emulator.setProject("acme-shared");
    deploy({ JWT_SECRET_STAGING: { secret: "projects/acme-shared/secrets/jwt", version: "latest" } });
    secretManager.emulator.setSecret({ project: "acme-shared", name: "jwt", versions: ["ENABLED"] });
    const d = await diagnose();
    const p = d.problems.find((x) => x.key === "secret:staging:api:JWT_SECRET_STAGING")!;
    expect(p.fix).toBe(
      `gcloud secrets add-iam-policy-binding jwt --project=acme-shared --member=serviceAccount:${SA} ` +
        `--role=roles/secretmanager.secretAccessor`,
    );
    expect(secretManager.emulator.calls.filter((c) => c.method === "ListSecrets").map((c) => c.request.parent)).toEqual(
      ["projects/acme-shared"],
    );
  });
});

describe("no Google credentials", () => {
  it("asks Secret Manager nothing; says the fix could not be verified, never that the secret is missing", async () => {
    deploy({ LOG_LEVEL: "info" });
    secretManager.emulator.setSecret({
      project: P,
      name: "jwt-secret-staging",
      versions: ["ENABLED"],
      bindings: [ACCESSOR],
    });
    const noCredentials = {
      ...secretManager.clients,
      checkCredentials: async () => {
        throw new GoogleCredentialsError("Could not load the default credentials");
      },
    };
    const uses = [
      { project: P, secret: "jwt-secret-staging", version: "latest", serviceAccount: SA, serviceProject: P },
    ];
    const { facts } = await fetchSecretFacts(noCredentials, uses);
    expect(secretManager.emulator.calls).toEqual([]);
    expect(verifySecretUse(uses[0], facts)).toEqual({
      status: "unverified",
      found: [
        `could not verify that secret \`jwt-secret-staging\` exists in project \`${P}\` (Could not load the default ` +
          `credentials)`,
      ],
      before: [],
      settle: undefined,
    });
  });
});

describe("economy", () => {
  it("one ListSecrets per project, one GetIamPolicy per secret, however many services read it", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
    for (const name of names) {
      const built = buildService({
        project: P,
        region: R,
        name,
        serviceAccount: SA,
        env: { A_KEY: { secret: "a-key" }, B_KEY: { secret: "b-key", version: "2" } },
      });
      cloudRun.emulator.setService(built.service);
    }
    secretManager.emulator.setSecret({ project: P, name: "a-key", versions: ["ENABLED"], bindings: [ACCESSOR] });
    secretManager.emulator.setSecret({
      project: P,
      name: "b-key",
      versions: ["ENABLED", "ENABLED"],
      bindings: [ACCESSOR],
    });
    const parsed = parseConfig({
      environments: { staging: { project: P, region: R, services: names } },
      checks: [{ variable: "A_KEY" }, { variable: "B_KEY" }],
    });
    if (!parsed.ok) throw new Error("config");
    const checks = resolveRequirements(parsed.config, { title: "", body: "" });
    const live = await gatherLiveState(parsed.config, {
      probe: probeHealth,
      fetchLive: (targets) => fetchLiveState(cloudRun.clients, targets),
      readSnapshot: async () => undefined,
      fetchSecrets: (uses) => fetchSecretFacts(secretManager.clients, uses),
      checks,
    });
    expect(evaluate(checks, live).verdict).toBe("pass");
    const count = (m: string) => secretManager.emulator.calls.filter((c) => c.method === m).length;
    expect([
      count("ListSecrets"),
      count("GetIamPolicy"),
      count("GetSecretVersion"),
      count("GetProjectIamPolicy"),
      count("GetProject"),
    ]).toEqual([1, 2, 2, 0, 0]);
    for (const name of names) cloudRun.emulator.removeService(`projects/${P}/locations/${R}/services/${name}`);
  });
});
