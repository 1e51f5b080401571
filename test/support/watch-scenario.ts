/**
 * The closed loop's end-to-end scenario, shared by the `watch:` tests (test/e2e/watch-*.test.ts): issue #930 in a
 * repository watched every 2 seconds, the label's triage, the scheduled rechecks (each begins by reading the issue),
 * the fix in the Cloud Run emulator, and the closed loop the next recheck leaves.
 */
import type { RecordedRequest } from "../../dev/github-standin.js";
import { waitFor, type AppProcess } from "../../dev/app-server.js";
import { scenarioConfigYaml, scenarioServices } from "../../dev/scenario.js";
import { OWNER, type E2E } from "./e2e-harness.js";

/** The scenario's config, rechecked every 2 seconds: the tests wait for rechecks to happen, never for a time. */
export const WATCHED = `${scenarioConfigYaml}watch:\n  every: 2s\n  for: 1d\n`;

/** Requests that change something on GitHub (a GraphQL query is a read). */
export function isWrite(r: RecordedRequest): boolean {
  if (r.method === "GET") return false;
  if (r.operationId === "graphql") return !/^\s*query\b/.test(String((r.body as { query?: string })?.query ?? ""));
  return !r.path.endsWith("/access_tokens");
}

/** The scenario's steps on one test file's harness. */
export function watchScenario(e2e: E2E) {
  /** The reads of the scenario's issue so far: each scheduled recheck begins with one. */
  const rechecks = (repo: string) =>
    e2e.github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${OWNER}/${repo}/issues/930`);

  return {
    rechecks,

    /** Labels the scenario's issue and waits for the triage: the diagnosis comment and four follow-ups. */
    async labelAndTriage(app: AppProcess, repo: string) {
      // JWT_SECRET_STAGING missing on staging (a test before may have set it).
      for (const s of scenarioServices().services) e2e.cloudRun.setService(s);
      // A person adds the label: the issue carries it (the event below tells the app).
      e2e.addRepo(repo, WATCHED).labels.push("triage:config");
      expect(await app.deliver("issues", e2e.labeled(repo))).toBe(202);
      await waitFor("the diagnosis comment", () => e2e.appComments(repo)[0], 60_000);
      await waitFor("four follow-ups", () => (e2e.followUps(repo).length === 4 ? true : undefined), 60_000).catch(
        (error) => {
          throw new Error(`${error}\n${e2e.appComments(repo)[0]?.body}\n${app.logs.join("")}`);
        },
      );
    },

    /**
     * Waits until `n` more rechecks have begun than `after`: the ones before the last have finished (an issue runs one
     * event at a time).
     */
    async rechecksBeyond(repo: string, after: number, n: number, app: AppProcess) {
      const enough = () => (rechecks(repo).length >= after + n ? true : undefined);
      await waitFor(`${n} scheduled rechecks`, enough, 60_000).catch((error) => {
        throw new Error(`${error}\n${app.logs.join("")}`);
      });
    },

    /** Sets the missing secret on staging: a new revision serves it. */
    fixTheSecret() {
      for (const s of scenarioServices({ fixed: true }).services) e2e.cloudRun.setService(s);
    },

    /** Asserts the closed loop: the parent and the fix follow-up closed by the app, the long-term follow-ups open. */
    expectClosedLoop(repo: string) {
      const parent = e2e.parent(repo);
      expect(parent).toMatchObject({ state: "closed", state_reason: "completed" });
      // Nobody commented: every comment on the parent is the app's one diagnosis comment.
      expect(parent.comments).toHaveLength(1);
      expect(parent.comments[0].body).toContain(
        "Every check passes (found by the scheduled recheck), so config-triage closed this issue as completed, " +
          "and its fix",
      );
      const [fix, ...longTerm] = e2e.followUps(repo).sort((a, b) => a.number - b.number);
      expect(fix.title).toMatch(/^Fix configuration/);
      expect(fix).toMatchObject({ state: "closed", state_reason: "completed" });
      expect(fix.comments.map((c) => c.body)).toEqual([
        expect.stringMatching(/^✅ Fixed: JWT_SECRET_STAGING missing on staging passes in the live check of .* UTC/),
      ]);
      expect(fix.body).toMatch(/- \[x\] `JWT_SECRET_STAGING` is missing on staging/);
      for (const f of longTerm) expect(f.state).toBe("open");
    },
  };
}
