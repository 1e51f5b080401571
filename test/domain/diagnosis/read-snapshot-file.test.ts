import { probeHealth } from "../../../src/adapters/cloud-run/probe-health.js";
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parseConfig } from "../../../src/domain/config/parse-config.js";
import { evaluate } from "../../../src/domain/diagnosis/evaluate.js";
import { gatherLiveState } from "../../../src/use-cases/triage/gather-live-state.js";
import { resolveRequirements } from "../../../src/domain/diagnosis/resolve-requirements.js";
import { readSnapshotFile } from "../../../src/domain/diagnosis/read-snapshot-file.js";
import { renderDiagnosisComment } from "../../../src/rendering/render-diagnosis.js";

const TEXT = readFileSync(new URL("../../fixtures/snapshots/staging.yaml", import.meta.url), "utf8");
const target = (service: string) => ({
  environment: "staging",
  project: "netra-staging",
  region: "us-central1",
  service,
});

describe("offline snapshot (gcloud run services describe --format yaml)", () => {
  it("reads names and sources, never values, and the status", () => {
    const [backend] = readSnapshotFile(TEXT, [target("netra-backend")], { file: "ops/staging.yaml" });
    expect(backend.kind).toBe("ok");
    if (backend.kind !== "ok") return;
    expect(backend.snapshot.template.containers[0].env).toEqual([
      { name: "DATABASE_URL", source: { kind: "literal" } },
      { name: "JWT_SECRET_STAGIN", source: { kind: "secret", secret: "jwt-secret-staging", version: "latest" } },
    ]);
    expect(backend.snapshot.traffic).toEqual([{ revision: "netra-backend-00042-abc", percent: 100, latest: true }]);
    expect(JSON.stringify(backend)).not.toContain("pl4nted");
  });

  it("keeps another project's secret (secrets annotation); a mount without items is at mountPath/SECRET", () => {
    const yaml = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  annotations:
    run.googleapis.com/urls: '["https://api-${"123456789012"}.us-central1.run.app","https://api-x7y-uc.a.run.app"]'
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/secrets: shared-jwt:projects/acme-shared/secrets/jwt
    spec:
      serviceAccountName: api@netra-staging.iam.gserviceaccount.com
      containers:
        - image: us-docker.pkg.dev/p/r/api
          ports: [{ containerPort: 8080 }]
          env:
            - name: JWT_SECRET
              valueFrom: { secretKeyRef: { name: shared-jwt, key: "2" } }
          volumeMounts:
            - { name: certs, mountPath: /etc/certs }
      volumes:
        - name: certs
          secret: { secretName: tls-cert }
status:
  url: https://api-x7y-uc.a.run.app
  latestReadyRevisionName: api-00001-abc
  latestCreatedRevisionName: api-00001-abc
  traffic: [{ latestRevision: true, percent: 100 }]
`;
    const [state] = readSnapshotFile(yaml, [target("api")], { file: "ops/staging.yaml" });
    if (state.kind !== "ok") throw new Error(JSON.stringify(state));
    const container = state.snapshot.template.containers[0];
    expect(container.env).toEqual([
      { name: "JWT_SECRET", source: { kind: "secret", secret: "jwt", version: "2", project: "acme-shared" } },
    ]);
    expect(container.secretMounts).toEqual([{ secret: "tls-cert", version: "latest", path: "/etc/certs/tls-cert" }]);
    expect(state.snapshot.template.serviceAccount).toBe("api@netra-staging.iam.gserviceaccount.com");
    expect(state.snapshot.projectNumber).toBe("123456789012");
  });

  it.each([
    ["not YAML", "a: [", "the file is not valid YAML"],
    ["no such service", TEXT, "it has no Service named `api`"],
    [
      "a v2 resource",
      "apiVersion: run.googleapis.com/v2\nkind: Service\nmetadata: { name: api }\n",
      "expected `serving.knative.dev/v1`",
    ],
  ])("says what is wrong with the file: %s", (_name, text, message) => {
    const [state] = readSnapshotFile(text, [target("api")], { file: "ops/staging.yaml" });
    expect(state).toMatchObject({ kind: "cannot-check", reason: "snapshot" });
    expect(state.kind === "cannot-check" && state.detail).toContain(message);
  });

  it("runs the same diagnosis, and the comment says it came from a snapshot and how old it is", async () => {
    const parsed = parseConfig({
      environments: {
        staging: {
          project: "netra-staging",
          region: "us-central1",
          services: ["netra-backend", "auth-service"],
          snapshot: "ops/staging.yaml",
        },
      },
      checks: [{ variable: "JWT_SECRET_STAGING", from: "secret-manager" }],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const reads: string[] = [];
    const live = await gatherLiveState(parsed.config, {
      probe: probeHealth,
      fetchLive: async () => {
        throw new Error("no live call for a snapshot environment");
      },
      readSnapshot: async (path) => (reads.push(path), { text: TEXT, updatedAt: "2025-02-20T10:00:00Z" }),
      now: () => new Date("2025-03-01T12:00:00Z"),
    });
    expect(reads).toEqual(["ops/staging.yaml"]);
    const checks = resolveRequirements(parsed.config, { title: "", body: "" });
    const d = evaluate(checks, live);
    expect(d.source).toBe("snapshot");
    expect(d.problems.map((p) => p.what)).toEqual([
      "`JWT_SECRET_STAGING` is missing on staging / netra-backend: did you mean `JWT_SECRET_STAGIN`, which is set?",
      "could not read revision `auth-service-00006-old` of staging / auth-service (100% of traffic): the snapshot " +
        "file cannot be used",
    ]);
    const comment = renderDiagnosisComment({ diagnosis: d, followUps: [], outcome: "open", live, checks });
    expect(comment).toContain(
      "> 📄 Not live: read from the snapshot `ops/staging.yaml` (taken 2025-02-20, 9 days old)",
    );
    expect(comment).toMatchSnapshot();
  });
});
