import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { createCloudRunClients, type CloudRunClients } from "../../src/adapters/cloud-run/create-clients.js";
import { GrpcStatus, startCloudRunEmulator, type CloudRunEmulator } from "../../dev/cloud-run-emulator.js";
import {
  buildService,
  projectNumberFor,
  revisionName,
  secretNotFoundMessage,
  serviceName,
} from "../../dev/cloud-run-fixtures.js";

const PROJECT = "acme-prod";
const REGION = "us-central1";

/** The gRPC error shape google-gax rejects with. */
interface ClientError {
  code?: number;
  details?: string;
  message?: string;
}

async function rejectionOf(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error("expected the call to fail");
}

describe("Cloud Run v2 emulator with the real @google-cloud/run clients", () => {
  let emulator: CloudRunEmulator;
  let clients: CloudRunClients;

  const api = buildService({
    project: PROJECT,
    region: REGION,
    name: "api",
    revision: "api-00003-xyz",
    containers: [
      {
        image: "us-docker.pkg.dev/acme-prod/apps/api:1.4.2",
        env: {
          LOG_LEVEL: "info",
          DB_PASSWORD: { secret: "db-password", version: "3" },
          STRIPE_KEY: { secret: "projects/shared-secrets/secrets/stripe-key" },
        },
        volumeSecrets: [{ mountPath: "/etc/secrets", secret: "tls-cert", path: "cert.pem" }],
      },
      { name: "otel-collector", image: "otel/opentelemetry-collector:0.104.0" },
    ],
    traffic: [
      { revision: "api-00002-def", percent: 10 },
      { latest: true, percent: 90 },
    ],
  });

  const projectNumber = projectNumberFor(PROJECT);
  const worker = buildService({
    project: PROJECT,
    region: REGION,
    name: "worker",
    revision: "worker-00004-kmn",
    env: { QUEUE: "jobs", API_TOKEN: { secret: "api-token" } },
    failedRevision: {
      name: "worker-00005-pqr",
      reason: "SECRETS_ACCESS_CHECK_FAILED",
      message: secretNotFoundMessage({
        projectNumber,
        secret: "api-token",
        field: "spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name",
      }),
    },
    revisionContainers: { "worker-00004-kmn": [{ env: { QUEUE: "jobs" } }] },
  });

  beforeAll(async () => {
    emulator = await startCloudRunEmulator({
      services: [api.service, worker.service],
      revisions: [...api.revisions, ...worker.revisions],
    });
    clients = createCloudRunClients(emulator.address);
  });

  afterAll(async () => {
    await clients?.close();
    await emulator?.close();
  });

  beforeEach(() => {
    emulator.clearFaults();
    emulator.latencyMs = 0;
    emulator.calls.length = 0;
  });

  it("listens on 127.0.0.1 with an ephemeral port", () => {
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.address).toBe(`127.0.0.1:${emulator.port}`);
  });

  it("getService round-trips the template, literal and secret env vars, traffic and conditions", async () => {
    const [svc] = await clients.services.getService({ name: serviceName(PROJECT, REGION, "api") });

    expect(svc.name).toBe("projects/acme-prod/locations/us-central1/services/api");
    expect(svc.generation).toBe("3"); // int64 decodes as a string
    expect(svc.observedGeneration).toBe("3");
    expect(svc.uri).toMatch(/^https:\/\/api-[a-z0-9]{10}-uc\.a\.run\.app$/);
    expect(svc.latestReadyRevision).toBe(revisionName(PROJECT, REGION, "api", "api-00003-xyz"));
    expect(svc.latestCreatedRevision).toBe(svc.latestReadyRevision);
    expect(svc.terminalCondition).toMatchObject({ type: "Ready", state: "CONDITION_SUCCEEDED" });

    const [main, sidecar] = svc.template!.containers!;
    expect(main.name).toBe("placeholder-1");
    expect(main.image).toBe("us-docker.pkg.dev/acme-prod/apps/api:1.4.2");
    expect(sidecar.name).toBe("otel-collector");
    const env = Object.fromEntries(main.env!.map((e) => [e.name, e]));
    expect(env.LOG_LEVEL.value).toBe("info");
    expect(env.LOG_LEVEL.valueSource ?? null).toBeNull();
    expect(env.DB_PASSWORD.valueSource?.secretKeyRef).toMatchObject({ secret: "db-password", version: "3" });
    expect(env.STRIPE_KEY.valueSource?.secretKeyRef).toMatchObject({
      secret: "projects/shared-secrets/secrets/stripe-key",
      version: "latest",
    });

    expect(main.volumeMounts).toEqual([expect.objectContaining({ name: "secret-1", mountPath: "/etc/secrets" })]);
    expect(svc.template!.volumes![0].secret).toMatchObject({
      secret: "tls-cert",
      items: [expect.objectContaining({ path: "cert.pem", version: "latest" })],
    });
    expect(svc.template!.serviceAccount).toBe(`${projectNumber}-compute@developer.gserviceaccount.com`);

    expect(svc.traffic).toEqual([
      expect.objectContaining({
        type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        revision: "api-00002-def",
        percent: 10,
      }),
      expect.objectContaining({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 90 }),
    ]);
    expect(svc.trafficStatuses!.map((t) => [t.type, t.revision, t.percent])).toEqual([
      ["TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "api-00002-def", 10],
      ["TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 90], // a LATEST entry names no revision
    ]);

    expect(emulator.calls).toEqual([
      { method: "GetService", request: { name: "projects/acme-prod/locations/us-central1/services/api" } },
    ]);
  });

  it("shows a failed rollout: latestCreatedRevision != latestReadyRevision, a FAILED terminal condition", async () => {
    const [svc] = await clients.services.getService({ name: serviceName(PROJECT, REGION, "worker") });

    expect(svc.latestReadyRevision).toBe(revisionName(PROJECT, REGION, "worker", "worker-00004-kmn"));
    expect(svc.latestCreatedRevision).toBe(revisionName(PROJECT, REGION, "worker", "worker-00005-pqr"));
    expect(svc.generation).toBe("5");
    expect(svc.terminalCondition).toMatchObject({
      type: "Ready",
      state: "CONDITION_FAILED",
      reason: "SECRETS_ACCESS_CHECK_FAILED",
      severity: "ERROR",
    });
    expect(svc.terminalCondition!.message).toBe(
      "Revision 'worker-00005-pqr' is not ready and cannot serve traffic. " +
        "spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: " +
        `Secret projects/${projectNumber}/secrets/api-token/versions/latest was not found`,
    );

    const [failed] = await clients.revisions.getRevision({ name: svc.latestCreatedRevision! });
    expect(failed.conditions![0]).toMatchObject({
      type: "Ready",
      state: "CONDITION_FAILED",
      reason: "SECRETS_ACCESS_CHECK_FAILED",
    });
    expect(failed.containers![0].env!.map((e) => e.name)).toEqual(["QUEUE", "API_TOKEN"]);

    // The revision that still serves was built before the secret reference was added.
    const [serving] = await clients.revisions.getRevision({ name: svc.latestReadyRevision! });
    expect(serving.containers![0].env!.map((e) => e.name)).toEqual(["QUEUE"]);
    expect(serving.conditions!.find((c) => c.type === "Ready")?.state).toBe("CONDITION_SUCCEEDED");
  });

  it("getRevision and listRevisions return the revisions of a service, newest first", async () => {
    const [rev] = await clients.revisions.getRevision({ name: revisionName(PROJECT, REGION, "api", "api-00002-def") });
    expect(rev.service).toBe(serviceName(PROJECT, REGION, "api"));
    expect(rev.generation).toBe("1");
    expect(rev.containers!.map((c) => c.name)).toEqual(["placeholder-1", "otel-collector"]);
    expect(rev.conditions!.find((c) => c.type === "Active")?.state).toBe("CONDITION_SUCCEEDED"); // it has 10%

    const [revs] = await clients.revisions.listRevisions({ parent: serviceName(PROJECT, REGION, "api") });
    expect(revs.map((r) => r.name!.split("/").pop())).toEqual(["api-00003-xyz", "api-00002-def"]);
  });

  it("listServices paginates for real: 25 services, pageSize 10, all 25 through auto-pagination", async () => {
    const project = "paging-proj";
    for (let i = 0; i < 25; i++) {
      emulator.setService(
        buildService({ project, region: "europe-west1", name: `svc-${String(i).padStart(2, "0")}` }).service,
      );
    }
    emulator.setService(buildService({ project, region: "us-east1", name: "elsewhere" }).service);
    const parent = `projects/${project}/locations/europe-west1`;

    const names: string[] = [];
    for await (const svc of clients.services.listServicesAsync({ parent, pageSize: 10 })) names.push(svc.name!);
    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
    expect(names[0]).toBe(`${parent}/services/svc-00`);
    expect(names[24]).toBe(`${parent}/services/svc-24`);

    const listCalls = emulator.calls.filter((c) => c.method === "ListServices");
    expect(listCalls).toHaveLength(3);
    expect(listCalls[0].request).toEqual({ parent, pageSize: 10 });
    expect(listCalls[1].request).toEqual({ parent, pageSize: 10, pageToken: expect.any(String) });

    // The promise form auto-paginates by default too (gax warns once that pageSize does not limit the total).
    emulator.calls.length = 0;
    const [allAtOnce] = await clients.services.listServices({ parent, pageSize: 10 });
    expect(allAtOnce.map((s) => s.name)).toEqual(names);
    expect(emulator.calls).toHaveLength(3);

    // Manual paging exposes next_page_token.
    const [firstPage, nextRequest, rawResponse] = await clients.services.listServices(
      { parent, pageSize: 10 },
      { autoPaginate: false },
    );
    expect(firstPage).toHaveLength(10);
    expect(rawResponse?.nextPageToken).toBeTruthy();
    expect(nextRequest?.pageToken).toBe(rawResponse?.nextPageToken);

    // The "-" location lists every region of the project.
    const all: string[] = [];
    for await (const svc of clients.services.listServicesAsync({ parent: `projects/${project}/locations/-` })) {
      all.push(svc.name!);
    }
    expect(all).toHaveLength(26);

    for (const n of [...names, `projects/${project}/locations/us-east1/services/elsewhere`]) emulator.removeService(n);
    const [empty] = await clients.services.listServices({ parent, pageSize: 10 }, { autoPaginate: false });
    expect(empty).toEqual([]);
  });

  it("answers NOT_FOUND with the real API's message for unknown services and revisions", async () => {
    const err = await rejectionOf(clients.services.getService({ name: serviceName(PROJECT, REGION, "nope") }));
    expect(err.code).toBe(GrpcStatus.NOT_FOUND);
    expect(err.details).toBe(
      "Resource 'nope' of kind 'SERVICE' in region 'us-central1' in project 'acme-prod' does not exist.",
    );

    const revErr = await rejectionOf(
      clients.revisions.getRevision({ name: revisionName(PROJECT, REGION, "api", "api-00009-zzz") }),
    );
    expect(revErr.code).toBe(GrpcStatus.NOT_FOUND);
    expect(revErr.details).toContain("of kind 'REVISION'");
  });

  it("rejects malformed names with INVALID_ARGUMENT", async () => {
    const err = await rejectionOf(clients.services.getService({ name: "api" }));
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  });

  it("applies fault rules by method and name prefix, and honours times", async () => {
    emulator.addFault({
      name: "projects/acme-prod",
      code: GrpcStatus.PERMISSION_DENIED,
      details:
        "Permission 'run.services.get' denied on resource 'projects/acme-prod/locations/us-central1/services/api' " +
        "(or resource may not exist).",
      times: 1,
    });
    const err = await rejectionOf(clients.services.getService({ name: serviceName(PROJECT, REGION, "api") }));
    expect(err.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(err.details).toContain("run.services.get");

    // times: 1 is used up.
    const [svc] = await clients.services.getService({ name: serviceName(PROJECT, REGION, "api") });
    expect(svc.name).toBe(serviceName(PROJECT, REGION, "api"));

    // A name rule is path-segment aware and a method rule leaves other methods alone.
    emulator.addFault({ method: "GetRevision", name: "projects/acme", code: GrpcStatus.NOT_FOUND, details: "x" });
    emulator.addFault({
      method: "ListServices",
      code: GrpcStatus.UNAUTHENTICATED,
      details: "Request had invalid authentication credentials.",
    });
    await expect(
      clients.revisions.getRevision({ name: revisionName(PROJECT, REGION, "api", "api-00003-xyz") }),
    ).resolves.toBeDefined();
    const listErr = await rejectionOf(
      clients.services.listServices({ parent: `projects/${PROJECT}/locations/${REGION}` }, { autoPaginate: false }),
    );
    expect(listErr.code).toBe(GrpcStatus.UNAUTHENTICATED);

    expect(emulator.calls.map((c) => c.method)).toEqual(["GetService", "GetService", "GetRevision", "ListServices"]);
  });

  it("lets the client retry UNAVAILABLE on GetService", async () => {
    emulator.addFault({
      method: "GetService",
      code: GrpcStatus.UNAVAILABLE,
      details: "The service is currently unavailable.",
      times: 1,
    });
    const [svc] = await clients.services.getService({ name: serviceName(PROJECT, REGION, "api") });
    expect(svc.name).toBe(serviceName(PROJECT, REGION, "api"));
    expect(emulator.calls.filter((c) => c.method === "GetService")).toHaveLength(2);
  });

  it("delays answers by latencyMs, so client timeouts surface as DEADLINE_EXCEEDED", async () => {
    emulator.latencyMs = 400;
    const err = await rejectionOf(
      clients.services.getService({ name: serviceName(PROJECT, REGION, "api") }, { timeout: 100 }),
    );
    expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);

    emulator.latencyMs = 50;
    const started = Date.now();
    await clients.services.getService({ name: serviceName(PROJECT, REGION, "api") });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("answers UNIMPLEMENTED for the RPCs it does not emulate", async () => {
    const err = await rejectionOf(clients.services.deleteService({ name: serviceName(PROJECT, REGION, "api") }));
    expect(err.code).toBe(GrpcStatus.UNIMPLEMENTED);
  });
});

describe("emulator lifecycle", () => {
  it("close() does not wait for answers still held back by latencyMs", async () => {
    const { service } = buildService({ project: PROJECT, region: REGION, name: "slow" });
    // The answer and the client's deadline are both ten minutes away: close() returning within the test's timeout
    // says it did not wait for either (no wall-clock margin to miss on a loaded machine).
    const emulator = await startCloudRunEmulator({ services: [service], latencyMs: 600_000 });
    const clients = createCloudRunClients(emulator.address);
    try {
      const pending = rejectionOf(clients.services.getService({ name: service.name! }, { timeout: 600_000 }));
      while (emulator.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await emulator.close();
      const err = await pending;
      expect(err.code).toBeDefined();
    } finally {
      await clients.close();
    }
  });
});
