/**
 * End to end: a run that fails for good is reported on the issue (why, and what happens next) when the event asked for
 * a triage, and only logged when it did not. The real server (`node dist/entry/server/main.js`), the GitHub stand-in,
 * the Cloud Run emulator. (Split from resume-and-faults.test.ts so the two run in parallel jest workers.)
 */
import { waitFor } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { scenarioConfigYaml } from "../../dev/scenario.js";

const e2e = useE2E({
  appId: 39,
  // REST, as in resume-and-faults.test.ts: the faults target REST paths.
  env: { QUEUE_BACKOFF_MS: "300", CONFIG_TRIAGE_GITHUB_API: "rest" },
  backdateIssues: true,
});
const { start, addRepo, labeled, appComments, followUps } = e2e;

describe("a run GitHub does not let finish", () => {
  it("reports a run it cannot finish on the issue: why, and what happens next", async () => {
    addRepo("broken");
    const app = await start({ QUEUE_ATTEMPTS: "1" });
    e2e.github.fault({
      method: "GET",
      path: /\/repos\/netra-systems\/broken\/contents\/\.github\/config-triage$/,
      status: 503,
      times: Infinity,
    });
    expect(await app.deliver("issues", labeled("broken"))).toBe(202);
    const comment = await waitFor("the failure notice", () => appComments("broken")[0], 60_000);
    expect(comment.body).toContain("could not finish");
    expect(comment.body).toContain("GitHub answered 503 to GET");
    expect(comment.body).toContain("What happens next");
    expect(followUps("broken")).toHaveLength(0);
    await app.stop();
  }, 90_000);

  it("a failed config read for an unrelated label posts nothing on the issue; the failure is logged", async () => {
    addRepo("unrelated");
    const app = await start({ QUEUE_ATTEMPTS: "1" });
    e2e.github.fault({
      method: "GET",
      path: /\/repos\/netra-systems\/unrelated\/contents\/\.github(\/|%2F)config-triage\.yml/,
      status: 503,
      times: Infinity,
    });
    const event = labeled("unrelated");
    event.label.name = "bug";
    expect(await app.deliver("issues", event)).toBe(202);
    await waitFor(
      "the failure in the log",
      () => (app.logs.join("").includes("failure not reported on the issue") ? true : undefined),
      60_000,
    );
    expect(appComments("unrelated")).toHaveLength(0);
    expect(e2e.github.requests.some((r) => r.method !== "GET" && r.path.includes("/unrelated/"))).toBe(false);
    await app.stop();
  }, 90_000);

  it("a configured trigger label's run that fails after the config was read is reported on the issue", async () => {
    addRepo("custom-label", scenarioConfigYaml.replace('labels: ["triage:config"]', 'labels: ["ops:config"]'));
    const app = await start({ QUEUE_ATTEMPTS: "1" });
    e2e.github.fault({
      method: "GET",
      path: /\/repos\/netra-systems\/custom-label\/issues\/930\/sub_issues/,
      status: 503,
      times: Infinity,
    });
    const event = labeled("custom-label");
    event.label.name = "ops:config";
    expect(await app.deliver("issues", event)).toBe(202);
    const comment = await waitFor("the failure notice", () => appComments("custom-label")[0], 60_000);
    expect(comment.body).toContain("could not finish");
    expect(comment.body).toContain(
      "GitHub answered 503 to GET /repos/netra-systems/custom-label/issues/930/sub_issues",
    );
    await app.stop();
  }, 90_000);
});
