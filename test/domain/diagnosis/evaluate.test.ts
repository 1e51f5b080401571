import { describe, expect, it } from "@jest/globals";
import { parseConfigText } from "../../../src/domain/config/parse-config.js";
import { evaluate, type Problem, type VariableResult, type Verdict } from "../../../src/domain/diagnosis/evaluate.js";
import { resolveRequirements, type ResolvedRequirement } from "../../../src/domain/diagnosis/resolve-requirements.js";
import { serviceToSnapshot } from "../../../src/domain/diagnosis/to-snapshot.js";
import type {
  ContainerSnapshot,
  EnvEntry,
  LiveState,
  ServiceState,
  ServiceTarget,
} from "../../../src/domain/diagnosis/live-state.js";
import { buildService, projectNumberFor, secretNotFoundMessage } from "../../../dev/cloud-run-fixtures.js";
import { PLANTED_VALUES, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

const STAGING: ServiceTarget = {
  environment: "staging",
  project: "netra-staging",
  region: "us-central1",
  service: "netra-backend",
};
const PRODUCTION: ServiceTarget = {
  environment: "production",
  project: "netra-production",
  region: "us-central1",
  service: "netra-backend",
};

const literal = (name: string): EnvEntry => ({ name, source: { kind: "literal" } });
const secret = (name: string, secretName: string, version = "latest"): EnvEntry => ({
  name,
  source: { kind: "secret", secret: secretName, version },
});

function container(env: EnvEntry[], name = "placeholder-1", serving = true): ContainerSnapshot {
  return { name, serving, env, secretMounts: [] };
}

/** A service that was read, serving its template's revision. */
function ok(target: ServiceTarget, containers: ContainerSnapshot[]): ServiceState {
  const revision = `${target.service}-00042-abc`;
  return {
    kind: "ok",
    target,
    snapshot: {
      ...target,
      template: { name: revision, containers },
      latestReadyRevision: revision,
      latestCreatedRevision: revision,
      traffic: [{ revision, percent: 100, latest: true }],
      reconciling: false,
      revisions: {},
    },
  };
}

function live(...services: ServiceState[]): LiveState {
  return { source: "live", fetchedAt: "2025-01-16T09:30:00.000Z", services };
}

function check(
  variable: string,
  targets: ServiceTarget[],
  more: Partial<ResolvedRequirement> = {},
): ResolvedRequirement {
  return { variable, aliases: [], from: "any", origin: "config", targets, ...more };
}

const MISSING_WHY = "the service reads `JWT_SECRET_STAGING` at start-up; without it, requests that need it fail";

describe("evaluate", () => {
  interface EvaluateCase {
    name: string;
    checks: ResolvedRequirement[];
    live: LiveState;
    verdict: Verdict;
    results: Partial<VariableResult>[];
    problems: Partial<Problem>[];
  }

  it.each<EvaluateCase>([
    {
      name: "set as a literal, any source allowed: passes, and only the source kind is kept",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live(ok(STAGING, [container([literal("JWT_SECRET_STAGING")])])),
      verdict: "pass",
      results: [
        {
          variable: "JWT_SECRET_STAGING",
          status: "set",
          foundAs: "JWT_SECRET_STAGING",
          source: { kind: "literal" },
          container: "placeholder-1",
        },
      ],
      problems: [],
    },
    {
      name: "set from a secret: passes, with the secret's name and version",
      checks: [check("JWT_SECRET_PRODUCTION", [PRODUCTION], { from: "secret-manager" })],
      live: live(ok(PRODUCTION, [container([secret("JWT_SECRET_PRODUCTION", "jwt-secret-production", "3")])])),
      verdict: "pass",
      results: [
        {
          variable: "JWT_SECRET_PRODUCTION",
          status: "set",
          foundAs: "JWT_SECRET_PRODUCTION",
          source: { kind: "secret", secret: "jwt-secret-production", version: "3" },
        },
      ],
      problems: [],
    },
    {
      name: "set via an alias: passes, found as the alias",
      checks: [check("JWT_SECRET_STAGING", [STAGING], { aliases: ["JWT_SECRET"], from: "secret-manager" })],
      live: live(ok(STAGING, [container([secret("JWT_SECRET", "jwt-secret-staging")])])),
      verdict: "pass",
      results: [{ variable: "JWT_SECRET_STAGING", status: "set", foundAs: "JWT_SECRET" }],
      problems: [],
    },
    {
      name: "missing: the fix adds a Secret Manager reference named after the variable",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live(ok(STAGING, [container([literal("DATABASE_URL")])])),
      verdict: "fail",
      results: [{ variable: "JWT_SECRET_STAGING", status: "missing", container: "placeholder-1" }],
      problems: [
        {
          severity: "fail",
          what: "`JWT_SECRET_STAGING` is missing on staging / netra-backend",
          target: STAGING,
          container: "placeholder-1",
          why: MISSING_WHY,
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
          key: "missing:staging:netra-backend:JWT_SECRET_STAGING",
        },
      ],
    },
    {
      name: "missing with aliases: says that the aliases are missing too",
      checks: [check("JWT_SECRET_STAGING", [STAGING], { aliases: ["JWT_SECRET", "AUTH_JWT_SECRET"] })],
      live: live(ok(STAGING, [container([])])),
      verdict: "fail",
      results: [{ status: "missing" }],
      problems: [
        {
          what:
            "`JWT_SECRET_STAGING` is missing on staging / netra-backend (also looked for `JWT_SECRET`, " +
            "`AUTH_JWT_SECRET`)",
        },
      ],
    },
    {
      name: "missing with from: literal: the fix sets a literal placeholder, never a value",
      checks: [check("LOG_LEVEL", [STAGING], { from: "literal" })],
      live: live(ok(STAGING, [container([])])),
      verdict: "fail",
      results: [{ status: "missing" }],
      problems: [
        {
          what: "`LOG_LEVEL` is missing on staging / netra-backend",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--update-env-vars=LOG_LEVEL=VALUE",
        },
      ],
    },
    {
      name: "missing with a custom secret and why: both are used",
      checks: [
        check("JWT_SECRET_STAGING", [STAGING], {
          from: "secret-manager",
          secret: "netra-jwt-staging",
          why: "the services sign and verify session tokens with it",
        }),
      ],
      live: live(ok(STAGING, [container([])])),
      verdict: "fail",
      results: [{ status: "missing" }],
      problems: [
        {
          why: "the services sign and verify session tokens with it",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--update-secrets=JWT_SECRET_STAGING=netra-jwt-staging:latest",
        },
      ],
    },
    {
      name: "wrong source: a literal where Secret Manager is required is replaced by the secret",
      checks: [check("JWT_SECRET_STAGING", [STAGING], { from: "secret-manager", secret: "jwt-secret-staging" })],
      live: live(ok(STAGING, [container([literal("JWT_SECRET_STAGING")])])),
      verdict: "fail",
      results: [{ status: "wrong-source", foundAs: "JWT_SECRET_STAGING", source: { kind: "literal" } }],
      problems: [
        {
          severity: "fail",
          what: "`JWT_SECRET_STAGING` is a literal on staging / netra-backend, but must come from Secret Manager",
          why:
            "a literal value is visible to anyone who can read the service's configuration and is not rotated with " +
            "the secret",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--remove-env-vars=JWT_SECRET_STAGING\ngcloud run services update netra-backend " +
            "--project=netra-staging --region=us-central1 " +
            "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
          key: "source:staging:netra-backend:JWT_SECRET_STAGING",
        },
      ],
    },
    {
      name: "wrong source through an alias: the fix names the alias that is set",
      checks: [check("JWT_SECRET_STAGING", [STAGING], { aliases: ["JWT_SECRET"], from: "secret-manager" })],
      live: live(ok(STAGING, [container([literal("JWT_SECRET")])])),
      verdict: "fail",
      results: [{ status: "wrong-source", foundAs: "JWT_SECRET" }],
      problems: [
        {
          what: "`JWT_SECRET` is a literal on staging / netra-backend, but must come from Secret Manager",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--remove-env-vars=JWT_SECRET\ngcloud run services update netra-backend --project=netra-staging " +
            "--region=us-central1 --update-secrets=JWT_SECRET=jwt-secret-staging:latest",
        },
      ],
    },
    {
      name: "wrong source: a secret where a literal is required",
      checks: [check("LOG_LEVEL", [STAGING], { from: "literal" })],
      live: live(ok(STAGING, [container([secret("LOG_LEVEL", "log-level")])])),
      verdict: "fail",
      results: [{ status: "wrong-source" }],
      problems: [
        {
          what: "`LOG_LEVEL` comes from Secret Manager on staging / netra-backend, but must be a literal",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--remove-secrets=LOG_LEVEL\ngcloud run services update netra-backend --project=netra-staging " +
            "--region=us-central1 --update-env-vars=LOG_LEVEL=VALUE",
        },
      ],
    },
    {
      name: "set only on a sidecar: missing on the serving container",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live(
        ok(STAGING, [
          container([literal("DATABASE_URL")], "netra-backend", true),
          container([secret("JWT_SECRET_STAGING", "jwt-secret-staging")], "otel-collector", false),
        ]),
      ),
      verdict: "fail",
      results: [{ status: "missing", container: "netra-backend" }],
      problems: [
        {
          what:
            "`JWT_SECRET_STAGING` is missing on staging / netra-backend: it is set only on the sidecar " +
            "`otel-collector`, not on the serving container",
          container: "netra-backend",
          fix:
            "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
            "--container=netra-backend --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
        },
      ],
    },
    {
      name: "cannot check (permission denied): names the permission and the project; neither pass nor missing",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live({
        kind: "cannot-check",
        target: STAGING,
        reason: "permission-denied",
        detail:
          "Permission 'run.services.get' denied on resource " +
          "'projects/netra-staging/locations/us-central1/services/netra-backend'",
        permission: "run.services.get",
      }),
      verdict: "incomplete",
      results: [{ variable: "JWT_SECRET_STAGING", status: "cannot-check" }],
      problems: [
        {
          severity: "cannot-check",
          what:
            "could not check staging / netra-backend: permission denied (missing IAM permission `run.services.get` " +
            "on project `netra-staging`)",
          why:
            "the app's service account may not read this service. Cloud Run said: Permission 'run.services.get' " +
            "denied on resource 'projects/netra-staging/locations/us-central1/services/netra-backend'",
          fix:
            "gcloud projects add-iam-policy-binding netra-staging --member=serviceAccount:SERVICE_ACCOUNT " +
            "--role=roles/run.viewer",
          key: "cannot:staging:netra-backend:permission-denied",
        },
      ],
    },
    {
      name: "cannot check (not found): says to check the names in the config; the command lists the region's services",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live({
        kind: "cannot-check",
        target: STAGING,
        reason: "not-found",
        detail: "Resource 'netra-backend' was not found",
      }),
      verdict: "incomplete",
      results: [{ status: "cannot-check" }],
      problems: [
        {
          what: "could not check staging / netra-backend: the service does not exist",
          why:
            "the service does not exist in this project and region (check the name, project and region in the " +
            "config). Cloud Run said: Resource 'netra-backend' was not found",
          fix: "gcloud run services list --project=netra-staging --region=us-central1",
        },
      ],
    },
    {
      name: "cannot check (unreachable): the next check will try again",
      checks: [check("JWT_SECRET_STAGING", [STAGING])],
      live: live({
        kind: "cannot-check",
        target: STAGING,
        reason: "unreachable",
        detail: "4 DEADLINE_EXCEEDED: UNAVAILABLE",
      }),
      verdict: "incomplete",
      results: [{ status: "cannot-check" }],
      problems: [
        {
          what: "could not check staging / netra-backend: could not reach Cloud Run",
          why:
            "Cloud Run did not answer in time; this is neither a pass nor a failure, and the next check will try " +
            "again. Cloud Run said: 4 DEADLINE_EXCEEDED: UNAVAILABLE",
          fix: undefined,
        },
      ],
    },
    {
      name: "a failure elsewhere wins over a service that could not be checked",
      checks: [check("JWT_SECRET_STAGING", [STAGING]), check("JWT_SECRET_PRODUCTION", [PRODUCTION])],
      live: live(ok(STAGING, [container([])]), {
        kind: "cannot-check",
        target: PRODUCTION,
        reason: "unreachable",
        detail: "deadline exceeded",
      }),
      verdict: "fail",
      results: [{ status: "missing" }, { status: "cannot-check" }],
      problems: [
        { severity: "cannot-check", what: "could not check production / netra-backend: could not reach Cloud Run" },
        { severity: "fail", what: "`JWT_SECRET_STAGING` is missing on staging / netra-backend" },
      ],
    },
    {
      name: "no checks: nothing to check",
      checks: [],
      live: live(ok(STAGING, [container([literal("DATABASE_URL")])])),
      verdict: "nothing-to-check",
      results: [],
      problems: [],
    },
    {
      name: "a check whose service was not fetched yields no result",
      checks: [check("JWT_SECRET_PRODUCTION", [PRODUCTION])],
      live: live(ok(STAGING, [container([])])),
      verdict: "nothing-to-check",
      results: [],
      problems: [],
    },
  ])("$name", ({ checks, live: state, verdict, results, problems }) => {
    const diagnosis = evaluate(checks, state);
    expect(diagnosis.verdict).toBe(verdict);
    expect(diagnosis.results).toEqual(results.map((r) => expect.objectContaining(r)));
    expect(diagnosis.problems).toEqual(problems.map((p) => expect.objectContaining(p)));
    expect(diagnosis.source).toBe("live");
    expect(diagnosis.fetchedAt).toBe("2025-01-16T09:30:00.000Z");
  });

  it("scenario #930: only JWT_SECRET_STAGING on the staging backend is missing", () => {
    const config = parseConfigText(scenarioConfigYaml);
    if (!config.ok) throw new Error("scenario config does not parse");
    const checks = resolveRequirements(config.config, scenarioIssue);
    const { services, revisions } = scenarioServices();
    const state = live(
      ...checks
        .flatMap((c) => c.targets)
        .filter((t, i, all) => all.findIndex((u) => u.project === t.project && u.service === t.service) === i)
        .map((target): ServiceState => {
          const service = services.find(
            (s) => s.name === `projects/${target.project}/locations/${target.region}/services/${target.service}`,
          )!;
          return { kind: "ok", target, snapshot: serviceToSnapshot(target, service, revisions) };
        }),
    );
    const diagnosis = evaluate(checks, state);
    expect(diagnosis.verdict).toBe("fail");
    expect(
      diagnosis.results.map((r) => `${r.target.environment}/${r.target.service} ${r.variable}: ${r.status}`),
    ).toEqual([
      "staging/netra-backend JWT_SECRET_STAGING: missing",
      "staging/auth-service JWT_SECRET_STAGING: set",
      "production/netra-backend JWT_SECRET_PRODUCTION: set",
      "production/auth-service JWT_SECRET_PRODUCTION: set",
    ]);
    expect(diagnosis.problems.filter((p) => p.severity !== "warn").map((p) => p.fix)).toEqual([
      "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    ]);
    for (const value of PLANTED_VALUES) expect(JSON.stringify(diagnosis)).not.toContain(value);
  });
});

describe("serviceToSnapshot", () => {
  const PLANTED = "s3cr3t-literal-value-xyz";

  it("keeps names and sources but no literal value, anywhere (template and revisions)", () => {
    const { service, revisions } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      env: { JWT_SECRET_STAGING: PLANTED, DATABASE_URL: `postgres://netra:${PLANTED}@10.0.0.5/netra` },
    });
    expect(JSON.stringify(service)).toContain(PLANTED); // the fixture really carries it
    const snapshot = serviceToSnapshot(STAGING, service, revisions);
    expect(JSON.stringify(snapshot)).not.toContain(PLANTED);
    expect(JSON.stringify(snapshot)).not.toContain("s3cr3t");
    expect(snapshot.template.containers[0].env).toEqual([literal("JWT_SECRET_STAGING"), literal("DATABASE_URL")]);
    expect(snapshot.revisions["netra-backend-00001-abc"].containers[0].env).toEqual([
      literal("JWT_SECRET_STAGING"),
      literal("DATABASE_URL"),
    ]);
  });

  it.each<{ name: string; ref: { secret: string; version?: string }; expected: EnvEntry }>([
    {
      name: "a bare secret name and a pinned version",
      ref: { secret: "jwt-secret-staging", version: "5" },
      expected: secret("JWT_SECRET_STAGING", "jwt-secret-staging", "5"),
    },
    {
      name: "a full secret resource name keeps the project it names (here the project's number)",
      ref: { secret: `projects/${projectNumberFor("netra-staging")}/secrets/jwt-secret-staging`, version: "latest" },
      expected: {
        name: "JWT_SECRET_STAGING",
        source: {
          kind: "secret",
          secret: "jwt-secret-staging",
          version: "latest",
          project: projectNumberFor("netra-staging"),
        },
      },
    },
    {
      name: "a secret of another project keeps that project",
      ref: { secret: "projects/acme-shared/secrets/jwt-secret", version: "2" },
      expected: {
        name: "JWT_SECRET_STAGING",
        source: { kind: "secret", secret: "jwt-secret", version: "2", project: "acme-shared" },
      },
    },
  ])("secret reference: $name", ({ ref, expected }) => {
    const { service } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      env: { JWT_SECRET_STAGING: ref },
    });
    expect(serviceToSnapshot(STAGING, service).template.containers[0].env).toEqual([expected]);
  });

  it.each<{
    name: string;
    traffic: { revision?: string; percent: number; latest?: boolean; tag?: string }[];
    expected: unknown[];
  }>([
    {
      name: "LATEST maps to the latest ready revision",
      traffic: [{ latest: true, percent: 100 }],
      expected: [{ revision: "netra-backend-00042-abc", percent: 100, latest: true }],
    },
    {
      name: "a split keeps both revisions; a tag with no traffic is dropped",
      traffic: [
        { revision: "netra-backend-00041-old", percent: 10 },
        { latest: true, percent: 90 },
        { revision: "netra-backend-00040-zzz", percent: 0, tag: "canary" },
      ],
      expected: [
        { revision: "netra-backend-00041-old", percent: 10, latest: false },
        { revision: "netra-backend-00042-abc", percent: 90, latest: true },
      ],
    },
  ])("traffic: $name", ({ traffic, expected }) => {
    const { service } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      revision: "netra-backend-00042-abc",
      traffic,
    });
    const snapshot = serviceToSnapshot(STAGING, service);
    expect(snapshot.latestReadyRevision).toBe("netra-backend-00042-abc");
    expect(snapshot.traffic).toEqual(expected);
  });

  it("lists secret volume mounts with their path, and marks the ingress container as serving", () => {
    const { service } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      containers: [
        {
          name: "netra-backend",
          env: { DATABASE_URL: PLANTED },
          volumeSecrets: [{ mountPath: "/etc/secrets", secret: "jwt-secret-staging", version: "2" }],
        },
        { name: "otel-collector", env: { OTEL_TOKEN: { secret: "otel-token" } } },
      ],
    });
    const snapshot = serviceToSnapshot(STAGING, service);
    expect(snapshot.template.containers).toEqual([
      {
        name: "netra-backend",
        serving: true,
        env: [literal("DATABASE_URL")],
        secretMounts: [{ secret: "jwt-secret-staging", version: "2", path: "/etc/secrets/jwt-secret-staging" }],
      },
      { name: "otel-collector", serving: false, env: [secret("OTEL_TOKEN", "otel-token")], secretMounts: [] },
    ]);
    expect(JSON.stringify(snapshot)).not.toContain(PLANTED);
  });

  it("the serving container is the one with a port, even when a sidecar is listed first", () => {
    const { service } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      containers: [
        { name: "netra-backend" },
        { name: "otel-collector", env: { JWT_SECRET_STAGING: { secret: "jwt-secret-staging" } } },
      ],
    });
    service.template!.containers!.reverse();
    const snapshot = serviceToSnapshot(STAGING, service);
    expect(snapshot.template.containers.map((c) => [c.name, c.serving])).toEqual([
      ["otel-collector", false],
      ["netra-backend", true],
    ]);
    const diagnosis = evaluate(
      [check("JWT_SECRET_STAGING", [STAGING])],
      live({ kind: "ok", target: STAGING, snapshot }),
    );
    expect(diagnosis.problems.map((p) => [p.what, p.container])).toEqual([
      [
        "`JWT_SECRET_STAGING` is missing on staging / netra-backend: it is set only on the sidecar `otel-collector`, " +
          "not on the serving container",
        "netra-backend",
      ],
    ]);
  });

  it("shows a failed rollout: the created revision is not the ready one, with Cloud Run's reason", () => {
    const projectNumber = projectNumberFor("netra-staging");
    const { service } = buildService({
      project: "netra-staging",
      region: "us-central1",
      name: "netra-backend",
      revision: "netra-backend-00042-abc",
      env: { JWT_SECRET_STAGING: { secret: "jwt-secret-staging" } },
      failedRevision: {
        name: "netra-backend-00043-new",
        reason: "SECRETS_ACCESS_CHECK_FAILED",
        message: secretNotFoundMessage({ projectNumber, secret: "jwt-secret-staging" }),
      },
    });
    const snapshot = serviceToSnapshot(STAGING, service);
    expect(snapshot).toMatchObject({
      environment: "staging",
      project: "netra-staging",
      service: "netra-backend",
      latestReadyRevision: "netra-backend-00042-abc",
      latestCreatedRevision: "netra-backend-00043-new",
      generation: "43",
      observedGeneration: "43",
      reconciling: false,
      terminalCondition: {
        state: "CONDITION_FAILED",
        reason: "SECRETS_ACCESS_CHECK_FAILED",
        message: expect.stringContaining(
          `Secret projects/${projectNumber}/secrets/jwt-secret-staging/versions/latest was not found`,
        ),
      },
    });
  });
});
