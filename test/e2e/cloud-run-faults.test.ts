/**
 * End to end: Cloud Run faults through the real server. Cloud Run says UNAVAILABLE, PERMISSION_DENIED, or answers after
 * CLOUD_RUN_TIMEOUT_MS: the services are reported on the issue as "could not check" (neither missing nor passing),
 * and the parent stays open, although the same services without the faults pass every check (and close it).
 */
import { GrpcStatus } from "../../dev/cloud-run-emulator.js";
import { waitFor, waitForQuiet, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { scenarioServices } from "../../dev/scenario.js";

// Fixed: without faults every check passes and the parent is closed.
const e2e = useE2E({ appId: 37, services: scenarioServices({ fixed: true }) });
const { addRepo, labeled, appComments } = e2e;
let app: AppProcess;

async function triage(repo: string) {
  addRepo(repo);
  expect(await app.deliver("issues", labeled(repo))).toBe(202);
  const comment = await waitFor("the diagnosis comment", () => appComments(repo)[0], 30_000);
  await waitForQuiet(() => e2e.github.requests.length, 1_500);
  return { body: comment.body, parent: e2e.parent(repo) };
}

/** Every one of the four checks (two services in two environments) is "could not check"; none passes or fails. */
function expectNothingDecided(body: string) {
  expect(body.match(/\| ❔ could not check \|/g)).toHaveLength(4);
  expect(body).not.toContain("✅ set");
  expect(body).not.toContain("❌");
  expect(body).not.toMatch(/\bis missing\b|lacks `JWT_SECRET/);
}

beforeAll(async () => {
  app = await e2e.start({ CLOUD_RUN_TIMEOUT_MS: "800" });
});

afterEach(() => {
  e2e.cloudRun.clearFaults();
  e2e.cloudRun.latencyMs = 0;
});

it("the services pass without faults, and the parent is closed (the baseline the faults change)", async () => {
  const { body, parent } = await triage("no-faults");
  expect(body.match(/✅ set/g)).toHaveLength(4);
  expect(parent.state).toBe("closed");
}, 60_000);

it("UNAVAILABLE, PERMISSION_DENIED: could not check, the reason and what to do; the parent stays open", async () => {
  e2e.cloudRun.addFault({
    name: "projects/netra-staging",
    code: GrpcStatus.UNAVAILABLE,
    details: "The service is currently unavailable.",
  });
  e2e.cloudRun.addFault({
    name: "projects/netra-production",
    code: GrpcStatus.PERMISSION_DENIED,
    details: "Permission denied on resource project netra-production.",
  });
  const { body, parent } = await triage("unavailable-denied");
  expectNothingDecided(body);
  for (const service of ["netra-backend", "auth-service"]) {
    expect(body).toContain(`could not check staging / ${service}: could not reach Cloud Run`);
    expect(body).toContain(
      `could not check production / ${service}: permission denied (missing IAM permission \`run.services.get\``,
    );
  }
  expect(body).toContain("roles/run.viewer");
  expect(parent.state).toBe("open");
}, 60_000);

it("an answer after CLOUD_RUN_TIMEOUT_MS: could not reach Cloud Run, not a pass; the parent stays open", async () => {
  e2e.cloudRun.latencyMs = 2_500;
  const { body, parent } = await triage("slow");
  expectNothingDecided(body);
  for (const env of ["staging", "production"]) {
    for (const service of ["netra-backend", "auth-service"])
      expect(body).toContain(`could not check ${env} / ${service}: could not reach Cloud Run`);
  }
  expect(parent.state).toBe("open");
}, 60_000);
