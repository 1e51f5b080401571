/**
 * End to end: a run killed half-way resumes on the next run without duplicates; GitHub faults are retried. (Runs that
 * fail for good are in reported-failures.test.ts: a file of their own runs in another jest worker.) The real server
 * (`node dist/entry/server/main.js`), the GitHub stand-in, the Cloud Run emulator.
 */
import { waitFor } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";

const e2e = useE2E({
  appId: 32,
  // REST: its create-then-link leaves the window this file kills the process in, and its faults target REST paths.
  // (GraphQL creates and links each follow-up in one mutation.)
  env: { QUEUE_BACKOFF_MS: "300", CONFIG_TRIAGE_GITHUB_API: "rest" },
  backdateIssues: true,
});
const { start, addRepo, labeled, appComments, followUps, expectFollowUpsOnce } = e2e;

describe("a run that dies half-way", () => {
  it("is resumed by the next run, which opens only the missing follow-ups and links the orphan", async () => {
    addRepo("crash");
    const first = await start();
    expect(await first.deliver("issues", labeled("crash"))).toBe(202);
    // Kill the process after the second follow-up was opened and before it was linked or recorded anywhere.
    await waitFor(
      "a second follow-up not yet linked",
      () => {
        const made = followUps("crash");
        return made.length === 2 && made[1].parent === null ? true : undefined;
      },
      60_000,
    );
    await first.kill();
    expect(followUps("crash")).toHaveLength(2);
    expect(followUps("crash")[1].parent).toBeNull();
    expect(appComments("crash")).toHaveLength(0);

    const second = await start();
    expect(await second.deliver("issues", labeled("crash"))).toBe(202);
    const comment = await waitFor("the diagnosis comment", () => appComments("crash")[0], 60_000);
    for (const f of expectFollowUpsOnce("crash", 4)) expect(comment.body).toContain(`#${f.number}`);
    await second.stop();
  }, 120_000);
});

describe("GitHub faults", () => {
  it("retries 5xx and secondary rate limits (retry-after) and finishes with nothing written twice", async () => {
    addRepo("flaky");
    const app = await start();
    e2e.github.fault({
      method: "GET",
      path: /\/repos\/netra-systems\/flaky\/issues\/930\/comments/,
      status: 502,
      times: 5,
    });
    e2e.github.fault({
      method: "POST",
      path: /\/repos\/netra-systems\/flaky\/issues$/,
      status: 403,
      headers: { "retry-after": "1" },
    });
    e2e.github.fault({ method: "POST", path: /\/repos\/netra-systems\/flaky\/issues\/930\/comments/, status: 500 });
    expect(await app.deliver("issues", labeled("flaky"))).toBe(202);
    const comment = await waitFor("the diagnosis comment", () => appComments("flaky")[0], 90_000);
    expect(comment.body).toContain("JWT_SECRET_STAGING");
    expect(followUps("flaky")).toHaveLength(4);
    expect(appComments("flaky")).toHaveLength(1);
    const statuses = e2e.github.requests
      .filter((r) => r.path.startsWith("/repos/netra-systems/flaky/"))
      .map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([502, 403, 500]));
    await app.stop();
  }, 120_000);
});
