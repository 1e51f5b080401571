/**
 * The diagnosis, case by case, against the local Cloud Run gRPC server with realistic Service and Revision messages,
 * read through the real @google-cloud/run clients.
 */
import { probeHealth } from "../../../src/adapters/cloud-run/probe-health.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "../../../src/domain/config/parse-config.js";
import type { Config } from "../../../src/domain/config/schema.js";
import { evaluate, PROBLEM_KINDS, problemKind, type Diagnosis } from "../../../src/domain/diagnosis/evaluate.js";
import { classifyCloudRunError, fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { gatherLiveState } from "../../../src/use-cases/triage/gather-live-state.js";
import { resolveRequirements } from "../../../src/domain/diagnosis/resolve-requirements.js";
import type { LiveState } from "../../../src/domain/diagnosis/live-state.js";
import { renderDiagnosisComment } from "../../../src/rendering/render-diagnosis.js";
import { GrpcStatus, serviceDisabledFault } from "../../../dev/cloud-run-emulator.js";
import { useCloudRunEmulator } from "../../support/test-app.js";
import {
  buildService,
  projectNumberFor,
  secretPermissionDeniedMessage,
  serviceName,
  type BuildServiceOptions,
} from "../../../dev/cloud-run-fixtures.js";

const P = "acme-staging";
const R = "us-central1";

const cloudRun = useCloudRunEmulator({ serve: {} });

const added: string[] = [];
beforeEach(() => {
  for (const name of added.splice(0)) cloudRun.emulator.removeService(name);
  cloudRun.emulator.clearFaults();
  cloudRun.emulator.latencyMs = 0;
  cloudRun.emulator.calls.length = 0;
});

function deploy(o: Omit<BuildServiceOptions, "project" | "region"> & { project?: string; region?: string }) {
  const built = buildService({ project: P, region: R, ...o });
  cloudRun.emulator.setService(built.service);
  for (const r of built.revisions) cloudRun.emulator.setRevision(r);
  added.push(built.service.name!);
  return built;
}

function config(extra: Record<string, unknown> = {}, services = ["api"]): Config {
  const parsed = parseConfig({
    environments: { staging: { project: P, region: R, services } },
    checks: [{ variable: "JWT_SECRET_STAGING", from: "secret-manager" }],
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

async function diagnose(
  cfg: Config,
  opts: { timeoutMs?: number } = {},
): Promise<{ d: Diagnosis; live: LiveState; comment: string }> {
  const checks = resolveRequirements(cfg, { title: "", body: "" });
  const live = await gatherLiveState(cfg, {
    probe: probeHealth,
    fetchLive: (targets) =>
      fetchLiveState(cloudRun.clients, targets, {
        timeoutMs: opts.timeoutMs ?? 5000,
        now: () => new Date("2025-03-01T12:00:00Z"),
      }),
    readSnapshot: async () => undefined,
  });
  const d = evaluate(checks, live);
  // Every key is of a kind the app records in its state (see renderChangesSection).
  for (const p of d.problems) expect(PROBLEM_KINDS).toContain(problemKind(p.key));
  return { d, live, comment: renderDiagnosisComment({ diagnosis: d, followUps: [], outcome: "open", live, checks }) };
}

const jwt = { secret: "jwt-secret-staging" };

describe("serving truth: the revisions that receive traffic", () => {
  it("fails when a serving revision lacks a variable the template has: names it, its share, the fix", async () => {
    deploy({
      name: "api",
      revision: "api-00003-xyz",
      env: { JWT_SECRET_STAGING: jwt, LOG_LEVEL: "info" },
      traffic: [
        { latest: true, percent: 80 },
        { revision: "api-00002-def", percent: 20 },
      ],
      revisionContainers: { "api-00002-def": [{ env: { LOG_LEVEL: "info" } }] },
    });
    const { d, comment } = await diagnose(config());
    expect(d.verdict).toBe("fail");
    const p = d.problems.find((x) => x.key.startsWith("serving:"))!;
    expect(p.what).toBe(
      "`JWT_SECRET_STAGING` is in the template of staging / api but missing on revision `api-00002-def`, which " +
        "serves 20% of traffic",
    );
    expect(p.revision).toBe("api-00002-def");
    expect(p.fix).toBe(
      "gcloud run services update-traffic api --project=acme-staging --region=us-central1 --to-latest",
    );
    expect(d.results[0].status).toBe("not-serving");
    // Read through RevisionsClient: only the revision that may differ from the template.
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices", "GetRevision"]);
    expect(cloudRun.emulator.calls[1].request.name).toBe(`${serviceName(P, R, "api")}/revisions/api-00002-def`);
    expect(comment).toContain("```mermaid");
    expect(comment).toContain('"20%" --> rev_api_00002_def["api-00002-def<br/>❌ JWT_SECRET_STAGING"]');
    expect(comment).toContain('"80%" --> rev_api_00003_xyz["api-00003-xyz (latest ready)<br/>✅ JWT_SECRET_STAGING"]');
  });

  it("passes without reading any revision when the settled latest revision takes all traffic", async () => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt } });
    const { d } = await diagnose(config());
    expect(d.verdict).toBe("pass");
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices"]);
  });

  it("reports an unreadable serving revision as could-not-check, naming run.revisions.get", async () => {
    deploy({
      name: "api",
      revision: "api-00003-xyz",
      env: { JWT_SECRET_STAGING: jwt },
      traffic: [
        { latest: true, percent: 50 },
        { revision: "api-00002-def", percent: 50 },
      ],
    });
    cloudRun.emulator.addFault({
      method: "GetRevision",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "Permission 'run.revisions.get' denied on resource",
    });
    const { d } = await diagnose(config());
    expect(d.verdict).toBe("incomplete");
    expect(d.problems.map((p) => p.what)).toEqual([
      "could not read revision `api-00002-def` of staging / api (50% of traffic): permission denied (missing IAM " +
        "permission `run.revisions.get` on project `acme-staging`)",
    ]);
  });
});

describe("failed or stuck rollout", () => {
  it("failed rollout: SECRETS_ACCESS_CHECK_FAILED, Cloud Run's message, the IAM fix; ready one lacks it", async () => {
    const projectNumber = projectNumberFor(P);
    const sa = `${projectNumber}-compute@developer.gserviceaccount.com`;
    deploy({
      name: "api",
      revision: "api-00004-kmn",
      env: { JWT_SECRET_STAGING: jwt },
      failedRevision: {
        name: "api-00005-pqr",
        reason: "SECRETS_ACCESS_CHECK_FAILED",
        message: secretPermissionDeniedMessage({ projectNumber, secret: "jwt-secret-staging", serviceAccount: sa }),
      },
      revisionContainers: { "api-00004-kmn": [{ env: { LOG_LEVEL: "info" } }] },
    });
    const { d, comment } = await diagnose(config());
    const rollout = d.problems.find((p) => p.key.startsWith("rollout-failed"))!;
    expect(rollout.what).toBe(
      "the latest rollout of staging / api failed: revision `api-00005-pqr` is not ready " +
        "(SECRETS_ACCESS_CHECK_FAILED), so `api-00004-kmn` still serves",
    );
    expect(rollout.why).toContain("Permission denied on secret: projects/");
    expect(rollout.fix).toBe(
      `gcloud secrets add-iam-policy-binding jwt-secret-staging --project=acme-staging --member=serviceAccount:${sa} ` +
        `--role=roles/secretmanager.secretAccessor`,
    );
    const serving = d.problems.find((p) => p.key.startsWith("serving:"))!;
    expect(serving.what).toContain("missing on revision `api-00004-kmn`, which serves 100% of traffic");
    expect(serving.why).toContain("the latest, `api-00005-pqr`, failed");
    expect(serving.fix).toBe(
      "gcloud run services update api --project=acme-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    );
    expect(comment).toContain('-. "0%, not ready: SECRETS_ACCESS_CHECK_FAILED" .->');
  });

  it("warns while a rollout is reconciling or not yet observed, without failing", async () => {
    const built = buildService({
      project: P,
      region: R,
      name: "api",
      env: { JWT_SECRET_STAGING: jwt },
      reconciling: true,
    });
    built.service.generation = "3";
    built.service.observedGeneration = "2";
    cloudRun.emulator.setService(built.service);
    added.push(built.service.name!);
    for (const r of built.revisions) cloudRun.emulator.setRevision(r);
    const { d } = await diagnose(config());
    expect(d.problems.map((p) => [p.severity, p.what])).toEqual([
      ["warn", "a rollout of staging / api is still in progress (generation 3, Cloud Run has applied 2)"],
    ]);
    expect(d.verdict).toBe("pass");
  });
});

describe("where the value comes from", () => {
  it.each([
    [
      "a literal where Secret Manager is required",
      { JWT_SECRET_STAGING: "x" },
      {},
      "wrong-source",
      "`JWT_SECRET_STAGING` is a literal on staging / api, but must come from Secret Manager",
    ],
    [
      "a reference pinned to version 3 when the config asks for latest",
      { JWT_SECRET_STAGING: { secret: "jwt-secret-staging", version: "3" } },
      { version: "latest" },
      "wrong-source",
      "`JWT_SECRET_STAGING` on staging / api uses version `3` of secret `jwt-secret-staging`, but the configuration " +
        "asks for `latest`",
    ],
    [
      "a pinned version when the config does not ask",
      { JWT_SECRET_STAGING: { secret: "jwt-secret-staging", version: "3" } },
      {},
      "set",
      undefined,
    ],
  ] as const)("%s", async (_name, env, checkExtra, status, what) => {
    deploy({ name: "api", env: env as never });
    const { d } = await diagnose(
      config({ checks: [{ variable: "JWT_SECRET_STAGING", from: "secret-manager", ...checkExtra }] }),
    );
    expect(d.results[0].status).toBe(status);
    expect(d.problems.filter((p) => p.severity === "fail").map((p) => p.what)).toEqual(what ? [what] : []);
  });

  it("counts the check's secret mounted as a file, and says so", async () => {
    deploy({
      name: "api",
      containers: [{ volumeSecrets: [{ mountPath: "/etc/secrets", secret: "jwt-secret-staging", path: "jwt" }] }],
    });
    const { d, comment } = await diagnose(config());
    expect(d.results[0]).toMatchObject({
      status: "set",
      source: { kind: "file", secret: "jwt-secret-staging", version: "latest", path: "/etc/secrets/jwt" },
    });
    expect(comment).toContain(
      "Secret Manager `jwt-secret-staging` version `latest` mounted as file `/etc/secrets/jwt`",
    );
  });

  it("does not count a variable that only a sidecar has", async () => {
    deploy({
      name: "api",
      containers: [
        { name: "app", env: { LOG_LEVEL: "info" } },
        { name: "otel", env: { JWT_SECRET_STAGING: jwt } },
      ],
    });
    const { d } = await diagnose(config());
    const p = d.problems.find((x) => x.severity === "fail")!;
    expect(p.what).toBe(
      "`JWT_SECRET_STAGING` is missing on staging / api: it is set only on the sidecar `otel`, not on the serving " +
        "container",
    );
    expect(p.container).toBe("app");
    expect(p.fix).toContain("--container=app");
  });
});

describe("near misses", () => {
  it.each([
    [
      "JWT_SECRET_STAGIN",
      "--remove-secrets=JWT_SECRET_STAGIN --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    ],
    ["JWT_SECRET_STG", "--remove-secrets=JWT_SECRET_STG --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest"],
  ])("suggests %s for JWT_SECRET_STAGING", async (present, flags) => {
    deploy({ name: "api", env: { [present]: jwt } });
    const { d } = await diagnose(config());
    const p = d.problems.find((x) => x.severity === "fail")!;
    expect(p.what).toBe(
      `\`JWT_SECRET_STAGING\` is missing on staging / api: did you mean \`${present}\`, which is set?`,
    );
    expect(p.fix).toBe(`gcloud run services update api --project=acme-staging --region=us-central1 ${flags}`);
  });

  it("suggests the closest service of the region for a service name that does not exist", async () => {
    deploy({ name: "netra-backend", env: { JWT_SECRET_STAGING: jwt } });
    deploy({ name: "auth-service", env: {} });
    const { d } = await diagnose(config({}, ["netra-backnd"]));
    expect(d.verdict).toBe("incomplete");
    expect(d.results[0].status).toBe("cannot-check");
    const p = d.problems[0];
    expect(p.what).toBe(
      "could not check staging / netra-backnd: the service does not exist: did you mean `netra-backend`?",
    );
    expect(p.fix).toBe("gcloud run services list --project=acme-staging --region=us-central1");
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices"]);
  });
});

describe("cannot check is neither missing nor passing", () => {
  it.each([
    [
      "PERMISSION_DENIED",
      GrpcStatus.PERMISSION_DENIED,
      "Permission 'run.services.list' denied on resource 'projects/acme-staging/locations/us-central1' (or it may " +
        "not exist).",
      "could not check staging / api: permission denied (missing IAM permission `run.services.get` on project " +
        "`acme-staging`)",
    ],
    [
      "UNAUTHENTICATED",
      GrpcStatus.UNAUTHENTICATED,
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid " +
        "authentication credential.",
      "could not check staging / api: no valid Google credentials",
    ],
    [
      "UNAVAILABLE",
      GrpcStatus.UNAVAILABLE,
      "The service is currently unavailable.",
      "could not check staging / api: could not reach Cloud Run",
    ],
    [
      "NOT_FOUND (the project or region)",
      GrpcStatus.NOT_FOUND,
      "Project 'acme-staging' not found or deleted.",
      "could not check staging / api: the service does not exist",
    ],
  ])("%s", async (_name, code, details, what) => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt } });
    cloudRun.emulator.addFault({ name: `projects/${P}`, code, details });
    const { d, comment } = await diagnose(config());
    expect(d.verdict).toBe("incomplete");
    expect(d.results.map((r) => r.status)).toEqual(["cannot-check"]);
    expect(d.problems.map((p) => p.what)).toEqual([what]);
    expect(d.problems[0].why).toContain(details);
    expect(comment).toContain("#### Could not check");
    expect(comment).not.toContain("❌ missing");
  });

  it("PERMISSION_DENIED with a SERVICE_DISABLED ErrorInfo: enable the Cloud Run Admin API, no IAM grant", async () => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt } });
    const projectNumber = projectNumberFor(P);
    cloudRun.emulator.addFault(serviceDisabledFault(`projects/${P}`, projectNumber));
    const { d, comment } = await diagnose(config());
    expect(d.verdict).toBe("incomplete");
    expect(d.problems.map((p) => [p.what, p.fix])).toEqual([
      [
        "could not check staging / api: the Cloud Run Admin API is disabled in the project",
        `gcloud services enable run.googleapis.com --project=${P}`,
      ],
    ]);
    expect(d.problems[0].why).toContain(`Cloud Run Admin API has not been used in project ${projectNumber} before`);
    expect(comment).not.toContain("add-iam-policy-binding");
    // A disabled API refuses every call: no GetService per service after the refused listing.
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices"]);
  });

  it("the SERVICE_DISABLED fault reaches the client as Google sends it: ErrorInfo decoded by google-gax", async () => {
    const projectNumber = projectNumberFor(P);
    cloudRun.emulator.addFault(serviceDisabledFault(`projects/${P}`, projectNumber));
    type Decoded = { code: number; reason?: string; errorInfoMetadata?: Record<string, string>; statusDetails?: [] };
    const error = await cloudRun.clients.services
      .listServices({ parent: `projects/${P}/locations/${R}` }, { retry: null })
      .then(
        () => undefined,
        (e: unknown) => e as Decoded,
      );
    expect(error).toMatchObject({
      code: GrpcStatus.PERMISSION_DENIED,
      reason: "SERVICE_DISABLED",
      domain: "googleapis.com",
      errorInfoMetadata: { service: "run.googleapis.com", consumer: `projects/${projectNumber}` },
    });
    expect(error!.statusDetails).toHaveLength(2);
  });

  it("credentials that cannot mint a token (grpc-js's plugin error): no valid credentials, not a Cloud Run one", () => {
    // As grpc-js's load-balancing call reports a failed call-credentials plugin (e.g. a revoked key, a token endpoint
    // that does not answer): the call never left the machine.
    const details = "Getting metadata from plugin failed with error: invalid_grant: Invalid JWT Signature.";
    const error = { code: GrpcStatus.UNKNOWN, details };
    expect(classifyCloudRunError(error, "run.services.list")).toEqual({ reason: "unauthenticated", detail: details });
  });

  it("falls back to GetService when only listing is refused", async () => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt } });
    cloudRun.emulator.addFault({
      method: "ListServices",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "Permission 'run.services.list' denied",
    });
    const { d } = await diagnose(config());
    expect(d.verdict).toBe("pass");
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices", "GetService"]);
  });

  it("reports a Cloud Run slower than the timeout as could not reach Cloud Run", async () => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt } });
    cloudRun.emulator.latencyMs = 400;
    const { d } = await diagnose(config(), { timeoutMs: 100 });
    expect(d.problems.map((p) => p.what)).toEqual(["could not check staging / api: could not reach Cloud Run"]);
    expect(d.verdict).toBe("incomplete");
  });
});

describe("economy", () => {
  it("checks 20 services in one region with one Cloud Run call, and 20 in another region with one more", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
    for (const name of names) deploy({ name, env: { JWT_SECRET_STAGING: jwt } });
    for (const name of names) deploy({ name, region: "europe-west1", env: { JWT_SECRET_STAGING: jwt } });
    const parsed = parseConfig({
      environments: {
        staging: { project: P, region: R, services: names },
        eu: { project: P, region: "europe-west1", services: names },
      },
      checks: [{ variable: "JWT_SECRET_STAGING" }],
    });
    if (!parsed.ok) throw new Error("bad config");
    const one = await diagnose({ ...parsed.config, environments: { staging: parsed.config.environments.staging } });
    expect(one.d.results).toHaveLength(20);
    expect(one.d.verdict).toBe("pass");
    expect(cloudRun.emulator.calls).toHaveLength(1);
    cloudRun.emulator.calls.length = 0;
    const two = await diagnose(parsed.config);
    expect(two.d.results).toHaveLength(40);
    expect(cloudRun.emulator.calls.map((c) => c.method)).toEqual(["ListServices", "ListServices"]);
  });
});

describe("health probe", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/health") {
        res.writeHead(200).end("ok");
      } else if (req.url === "/slow") {
        // Never answers (closed after the tests): later than any deadline, however loaded the machine.
      } else {
        res.writeHead(503).end("down");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // The answering paths get a deadline no loaded machine misses on loopback; the one that never answers, a short one.
  it.each([
    ["/health", 10_000, true, 200, undefined],
    ["/ready", 10_000, false, 503, "the health check of staging / api failed: HTTP 503"],
    ["/slow", 100, false, undefined, "the health check of staging / api failed: no answer within 100 ms"],
  ])("requests {uri}%s and reports status and latency", async (path, timeout, ok, status, what) => {
    deploy({ name: "api", env: { JWT_SECRET_STAGING: jwt }, uri: base });
    const cfg = config();
    cfg.environments.staging.health = { path, timeout_ms: timeout };
    const { d, live, comment } = await diagnose(cfg);
    const state = live.services[0];
    expect(state.kind === "ok" && state.health).toMatchObject({
      url: `${base}${path}`,
      ok,
      ...(status ? { status } : {}),
    });
    if (!status) expect(state.kind === "ok" && state.health && state.health.status).toBeUndefined();
    expect(d.verdict).toBe(ok ? "pass" : "fail");
    if (what) expect(d.problems[0].what).toContain(what);
    expect(comment).toMatch(
      new RegExp(
        `\\| staging \\| \`api\` \\| \`${base.replace(/[.]/g, "\\.")}${path}\` \\| ${ok ? "✅" : "❌"} .* \\| \\d+ ms ` +
          `\\|`,
      ),
    );
  });
});
