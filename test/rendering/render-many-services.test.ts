/**
 * The diagnosis comment for 30 services, end to end: realistic Service and Revision messages served by the local
 * Cloud Run gRPC server, read through the real @google-cloud/run clients, evaluated and rendered. The comment must stay
 * readable (grouped by environment, passing rows folded) and under GitHub's 65,536 characters, and when it cannot, be
 * cut with a clear note that keeps the follow-ups and the outcome.
 */
import { probeHealth } from "../../src/adapters/cloud-run/probe-health.js";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { parseConfig } from "../../src/domain/config/parse-config.js";
import { evaluate, PROBLEM_KINDS, problemKind } from "../../src/domain/diagnosis/evaluate.js";
import { fetchLiveState } from "../../src/adapters/cloud-run/fetch-live-state.js";
import { gatherLiveState } from "../../src/use-cases/triage/gather-live-state.js";
import { resolveRequirements } from "../../src/domain/diagnosis/resolve-requirements.js";
import { readMarker } from "../../src/domain/issue-state/markers.js";
import type { DiagnosisState } from "../../src/domain/issue-state/markers.js";
import {
  GITHUB_COMMENT_LIMIT,
  renderDiagnosisComment,
  type FollowUpRef,
} from "../../src/rendering/render-diagnosis.js";
import { GrpcStatus } from "../../dev/cloud-run-emulator.js";
import { useCloudRunEmulator } from "../support/test-app.js";
import { buildService, projectNumberFor, secretNotFoundMessage, type EnvSpec } from "../../dev/cloud-run-fixtures.js";

const REGION = "us-central1";
const SERVICES = [
  "api",
  "auth",
  "billing",
  "catalog",
  "checkout",
  "email",
  "gateway",
  "inventory",
  "ledger",
  "notify",
  "orders",
  "search",
  "shipping",
  "users",
];
/** Planted in every literal: must never appear in a comment. */
const VALUE = "pl4nted-literal-value";

const cloudRun = useCloudRunEmulator({ serve: {} });

function deploy(project: string, name: string, env: EnvSpec, extra: Partial<Parameters<typeof buildService>[0]> = {}) {
  const built = buildService({ project, region: REGION, name, env, ...extra });
  cloudRun.emulator.setService(built.service);
  for (const r of built.revisions) cloudRun.emulator.setRevision(r);
}

/** An environment's usual variables: its JWT secret, a database URL from Secret Manager, a log level. */
function envOf(suffix: string, more: EnvSpec = {}): EnvSpec {
  return {
    [`JWT_SECRET_${suffix}`]: { secret: `jwt-secret-${suffix.toLowerCase()}` },
    DATABASE_URL: { secret: "database-url" },
    LOG_LEVEL: VALUE,
    ...more,
  };
}

const FOLLOW_UPS: FollowUpRef[] = [
  { template: "immediate-fix", number: 931, id: 3_100_931, title: "Fix configuration on staging", state: "open" },
  { template: "health-monitoring", number: 934, id: 3_100_934, title: "Monitor configuration health", state: "open" },
];

async function diagnose(checks: unknown[]) {
  const parsed = parseConfig({
    environments: {
      staging: { project: "acme-staging", region: REGION, services: SERVICES },
      production: { project: "acme-production", region: REGION, services: SERVICES },
      preview: { project: "acme-preview", region: REGION, services: ["api", "web"] },
    },
    checks,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  const planned = resolveRequirements(config, { title: "", body: "" });
  const live = await gatherLiveState(config, {
    probe: probeHealth,
    fetchLive: (targets) =>
      fetchLiveState(cloudRun.clients, targets, { timeoutMs: 5000, now: () => new Date("2025-03-01T12:00:00Z") }),
    readSnapshot: async () => undefined,
  });
  const diagnosis = evaluate(planned, live);
  for (const p of diagnosis.problems) expect(PROBLEM_KINDS).toContain(problemKind(p.key));
  const comment = renderDiagnosisComment({ diagnosis, followUps: FOLLOW_UPS, outcome: "open", live, checks: planned });
  expect(comment).not.toContain(VALUE);
  return { diagnosis, comment, live };
}

/** The text from the heading `start` up to the next heading of the same level or higher, or the end. */
function section(comment: string, start: string): string {
  const from = comment.indexOf(`${start}\n`);
  expect(from).toBeGreaterThanOrEqual(0);
  const rest = comment.slice(from + start.length);
  const level = start.indexOf(" ");
  const next = rest.search(new RegExp(`\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

describe("a diagnosis of 30 services (14 staging, 14 production, 2 preview)", () => {
  beforeAll(() => {
    for (const name of SERVICES) {
      // Staging: every service also reads FEATURE_FLAGS, which production lacks (drift, a warning).
      if (name === "checkout")
        deploy("acme-staging", name, {
          DATABASE_URL: { secret: "database-url" },
          LOG_LEVEL: VALUE,
          FEATURE_FLAGS: VALUE,
        }); // JWT missing
      else if (name === "ledger")
        deploy("acme-staging", name, envOf("STG", { FEATURE_FLAGS: VALUE })); // near miss: _STG for _STAGING
      // search: not deployed
      else if (name !== "search") deploy("acme-staging", name, envOf("STAGING", { FEATURE_FLAGS: VALUE }));
    }
    deploy("acme-staging", "search-v2", envOf("STAGING"));
    for (const name of SERVICES) {
      if (name === "billing") {
        // A rollout that failed on a secret that does not exist; the previous revision still serves.
        deploy("acme-production", name, envOf("PRODUCTION"), {
          revision: "billing-00006-abc",
          failedRevision: {
            name: "billing-00007-xyz",
            reason: "SECRETS_ACCESS_CHECK_FAILED",
            message: secretNotFoundMessage({
              projectNumber: projectNumberFor("acme-production"),
              secret: "stripe-key",
            }),
          },
        });
      } else if (name === "orders") {
        // a literal where a secret is required
        deploy("acme-production", name, { ...envOf("PRODUCTION"), DATABASE_URL: VALUE });
      } else {
        deploy("acme-production", name, envOf("PRODUCTION"));
      }
    }
    // Preview: the app's service account may not list services there.
    cloudRun.emulator.addFault({
      method: "ListServices",
      name: "projects/acme-preview",
      code: GrpcStatus.PERMISSION_DENIED,
      details:
        "Permission 'run.services.list' denied on resource 'projects/acme-preview/locations/us-central1' (or " +
        "resource may not exist).",
    });
    cloudRun.emulator.addFault({
      method: "GetService",
      name: "projects/acme-preview",
      code: GrpcStatus.PERMISSION_DENIED,
      details: "Permission 'run.services.get' denied on resource (or resource may not exist).",
    });
  });

  const CHECKS = [
    { variable: "JWT_SECRET_STAGING", environments: ["staging"], from: "secret-manager" },
    { variable: "JWT_SECRET_PRODUCTION", environments: ["production"], from: "secret-manager" },
    { variable: "DATABASE_URL", from: "secret-manager" },
  ];

  it("groups by environment, folds what passes, and stays under 65,536 characters", async () => {
    const { diagnosis, comment } = await diagnose(CHECKS);
    expect(diagnosis.verdict).toBe("fail");
    expect(comment.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(comment).not.toContain("✂️");

    // The failures, grouped by environment, each with its fix.
    const fixes = section(comment, "#### How to fix");
    expect(fixes.match(/^##### .*/gm)).toEqual(expect.arrayContaining(["##### staging", "##### production"]));
    expect(section(fixes, "##### staging")).not.toContain("production /");
    expect(section(fixes, "##### production")).not.toContain("staging /");
    expect(section(fixes, "##### staging")).toContain("`JWT_SECRET_STAGING` is missing on staging / checkout");
    expect(section(fixes, "##### staging")).toContain("did you mean `JWT_SECRET_STG`, which is set?");
    expect(section(fixes, "##### production")).toContain(
      "the latest rollout of production / billing failed: revision `billing-00007-xyz` is not ready " +
        "(SECRETS_ACCESS_CHECK_FAILED)",
    );
    expect(section(fixes, "##### production")).toContain(
      "`DATABASE_URL` is a literal on production / orders, but must come from Secret Manager",
    );

    // Could not check: its own section, never counted as missing or passing.
    const cannot = section(comment, "#### Could not check");
    expect(cannot).toContain("could not check staging / search: the service does not exist: did you mean `search-v2`?");
    expect(cannot).toContain("could not check preview / api: permission denied");
    expect(cannot).toContain("could not check preview / web: permission denied");

    // Drift between environments: a warning, folded away.
    expect(comment).toMatch(/<details><summary>⚠️ \d+ things worth knowing/);
    expect(comment).toContain("production / api lacks `FEATURE_FLAGS`, which staging has");

    // Results: one block per environment; failing rows in the open, passing rows folded in <details>.
    const results = section(comment, "#### Results by environment");
    expect(results).toContain("**staging**: 24 of 28 checks pass");
    expect(results).toContain("**production**: 27 of 28 checks pass");
    const passing = [...results.matchAll(/<details><summary>✅ (\d+) passing<\/summary>([\s\S]*?)<\/details>/g)];
    expect(passing.map((m) => Number(m[1]))).toEqual([24, 27]);
    const outside = results.replace(/<details>[\s\S]*?<\/details>/g, "");
    expect(outside.match(/✅ set/g)).toBeNull();
    expect(outside).toContain("| `checkout` | `JWT_SECRET_STAGING` | ❌ missing |");
    expect(passing[0][2]).toContain("| `api` | `JWT_SECRET_STAGING` | ✅ set |");
    expect(passing[0][2]).not.toContain("`checkout` | `JWT_SECRET_STAGING`");

    // The follow-ups and the outcome close the comment.
    expect(comment).toContain(
      "#### Follow-up issues\n- [ ] #931 Fix configuration on staging\n- [ ] #934 Monitor configuration health",
    );
    expect(comment.endsWith("comment `/triage recheck` (or remove and re-add the label) to check again.")).toBe(true);
  });

  it("cuts a comment too long for GitHub with a note, keeping the follow-ups, the outcome and its state", async () => {
    // A release that needs 12 new secrets, none deployed yet: 12 findings with a fix on each of 28 services.
    const release = Array.from({ length: 12 }, (_, i) => ({
      variable: `PAYMENTS_PROVIDER_${i + 1}_API_KEY`,
      environments: ["staging", "production"],
      from: "secret-manager",
    }));
    const { diagnosis, comment } = await diagnose([...CHECKS, ...release]);
    expect(diagnosis.problems.filter((p) => p.severity === "fail").length).toBeGreaterThan(300);

    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toMatch(
      new RegExp(
        "> ✂️ This comment was cut to fit GitHub's 65,536-character limit: " +
          String.raw`the last \d+ lines of the report above are not shown`,
      ),
    );
    // What matters most is first and survives: the headline and the first fixes.
    expect(comment).toMatch(/### ❌ config-triage: \d+ problems found, 3 services could not be checked/);
    expect(comment).toContain("#### How to fix");
    // The cut closes what it left open: fences pair up, every <details> is closed.
    expect((comment.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((comment.match(/<details>/g) ?? []).length).toBe((comment.match(/<\/details>/g) ?? []).length);
    // After the note: the follow-ups and the outcome, whole.
    const afterCut = comment.slice(comment.indexOf("✂️"));
    expect(afterCut).toContain(
      "#### Follow-up issues\n- [ ] #931 Fix configuration on staging\n- [ ] #934 Monitor configuration health",
    );
    expect(
      afterCut.endsWith(
        "This issue stays open until the check passes. Fix the problems above, then comment `/triage recheck` (or " +
          "remove and re-add the label) to check again.",
      ),
    ).toBe(true);
    // The state is whole too: every problem is remembered, even those the cut hides.
    const state = readMarker<DiagnosisState>("diagnosis", comment);
    expect(state?.problems).toHaveLength(diagnosis.problems.length);
    expect(state?.followUps.map((f) => f.number)).toEqual([931, 934]);
  });
});
