/**
 * Issue 13.1: which fix a revision serving without a variable gets, for every combination of what the latest ready
 * revision has, the share it receives, and whether the latest created revision failed. Read through the real
 * @google-cloud/run clients from the local Cloud Run gRPC server.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import { parseConfig } from "../../../src/domain/config/parse-config.js";
import { evaluate } from "../../../src/domain/diagnosis/evaluate.js";
import { fetchLiveState } from "../../../src/adapters/cloud-run/fetch-live-state.js";
import { resolveRequirements } from "../../../src/domain/diagnosis/resolve-requirements.js";
import {
  buildService,
  secretNotFoundMessage,
  projectNumberFor,
  type TrafficSpec,
} from "../../../dev/cloud-run-fixtures.js";
import { useCloudRunEmulator } from "../../support/test-app.js";

const P = "acme-staging";
const R = "us-central1";
const cloudRun = useCloudRunEmulator({ serve: {} });
const OLD = "api-00001-old";
const READY = "api-00002-rdy";
const FAILED = "api-00003-bad";
const TRAFFIC: Record<"0%" | "part" | "all", TrafficSpec[]> = {
  "0%": [{ revision: OLD, percent: 100 }],
  part: [
    { latest: true, percent: 40 },
    { revision: OLD, percent: 60 },
  ],
  all: [{ latest: true, percent: 100 }],
};
const UPDATE = `gcloud run services update api --project=${P} --region=${R}`;
const TRAFFIC_CMD = `gcloud run services update-traffic api --project=${P} --region=${R}`;
const REDEPLOY = `${UPDATE} --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest`;

beforeEach(() => {
  cloudRun.emulator.removeService(`projects/${P}/locations/${R}/services/api`);
  cloudRun.emulator.calls.length = 0;
});

type Row = {
  latestHasIt: boolean;
  share: keyof typeof TRAFFIC;
  created: "failed" | "ready";
  fix?: string;
  why?: string;
};

// The latest created revision "ready" while the latest ready one lacks the variable is a rollout still in progress
// (the template changed after the revision was made): those rows are built with `reconciling: true`.
const rows: Row[] = [
  {
    latestHasIt: true,
    share: "0%",
    created: "ready",
    fix: `${TRAFFIC_CMD} --to-latest`,
    why: "receives 0% of traffic",
  },
  {
    latestHasIt: true,
    share: "part",
    created: "ready",
    fix: `${TRAFFIC_CMD} --to-latest`,
    why: "receives 40% of traffic",
  },
  { latestHasIt: true, share: "all", created: "ready" },
  {
    latestHasIt: true,
    share: "0%",
    created: "failed",
    fix: `${TRAFFIC_CMD} --to-revisions=${READY}=100`,
    why: `\`${FAILED}\` failed`,
  },
  {
    latestHasIt: true,
    share: "part",
    created: "failed",
    fix: `${TRAFFIC_CMD} --to-revisions=${READY}=100`,
    why: "receives 40%",
  },
  { latestHasIt: true, share: "all", created: "failed" },
  {
    latestHasIt: false,
    share: "0%",
    created: "ready",
    fix: REDEPLOY,
    why: `the latest ready revision \`${READY}\` lacks it too`,
  },
  {
    latestHasIt: false,
    share: "part",
    created: "ready",
    fix: REDEPLOY,
    why: `the latest ready revision \`${READY}\` lacks it too`,
  },
  {
    latestHasIt: false,
    share: "all",
    created: "ready",
    fix: REDEPLOY,
    why: "no revision with the variable became ready",
  },
  {
    latestHasIt: false,
    share: "0%",
    created: "failed",
    fix: REDEPLOY,
    why: `lacks it too (the latest, \`${FAILED}\`, failed)`,
  },
  { latestHasIt: false, share: "part", created: "failed", fix: REDEPLOY, why: `(the latest, \`${FAILED}\`, failed)` },
  { latestHasIt: false, share: "all", created: "failed", fix: REDEPLOY, why: `(the latest, \`${FAILED}\`, failed)` },
];

describe("a revision serving without the variable: move traffic or deploy again", () => {
  it.each(rows)("latest ready has it: $latestHasIt, serves $share, latest created $created", async (row) => {
    const withIt = { JWT_SECRET_STAGING: { secret: "jwt-secret-staging" }, LOG_LEVEL: "info" };
    const without = { LOG_LEVEL: "info" };
    const built = buildService({
      project: P,
      region: R,
      name: "api",
      revision: READY,
      env: withIt,
      traffic: TRAFFIC[row.share],
      reconciling: !row.latestHasIt && row.created === "ready",
      failedRevision:
        row.created === "failed"
          ? {
              name: FAILED,
              reason: "SECRETS_ACCESS_CHECK_FAILED",
              message: secretNotFoundMessage({ projectNumber: projectNumberFor(P), secret: "other" }),
            }
          : undefined,
      revisionContainers: { [OLD]: [{ env: without }], [READY]: [{ env: row.latestHasIt ? withIt : without }] },
    });
    cloudRun.emulator.setService(built.service);
    for (const r of built.revisions) cloudRun.emulator.setRevision(r);
    const parsed = parseConfig({
      environments: { staging: { project: P, region: R, services: ["api"] } },
      checks: [{ variable: "JWT_SECRET_STAGING" }],
    });
    if (!parsed.ok) throw new Error("config");
    const checks = resolveRequirements(parsed.config, { title: "", body: "" });
    const live = await fetchLiveState(cloudRun.clients, [
      { environment: "staging", project: P, region: R, service: "api" },
    ]);
    const d = evaluate(checks, live);
    const serving = d.problems.filter((p) => p.key.startsWith("serving:"));
    if (!row.fix) {
      expect(serving).toEqual([]);
      return;
    }
    // Each serving revision without the variable is one problem: the old one, and the latest ready one when it lacks
    // it.
    const expected = [
      ...(row.share !== "0%" && !row.latestHasIt ? [READY] : []),
      ...(row.share !== "all" ? [OLD] : []),
    ];
    expect(serving.map((p) => p.revision)).toEqual(expected);
    expect(new Set(serving.map((p) => p.fix))).toEqual(new Set([row.fix]));
    expect(serving[serving.length - 1].why).toContain(row.why!);
    // The latest ready revision is read when it is not the template's own, even when it serves nothing.
    const read = cloudRun.emulator.calls
      .filter((c) => c.method === "GetRevision")
      .map((c) => String(c.request.name).split("/").pop());
    if (row.created === "failed" || !row.latestHasIt) expect(read).toContain(READY);
  });
});
