import nock from "nock";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import type { PlanRecord } from "../../../src/domain/follow-up-plan/summarize-plan.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";
import {
  createdIssueJson,
  mockDependencies,
  mockStructureReads,
  scenarioMilestones,
} from "../../support/github-mocks.js";
import {
  API,
  REPO,
  app,
  commentEvent,
  followUpIssue,
  mockConfig,
  mockReactions,
  mockReply,
  mockRole,
  mockTriageReads,
  ROLE,
  setServices,
  showPlan,
  useCommandTestEnvironment,
  mockNoEarlierNotice,
} from "./harness.js";

useCommandTestEnvironment();

const planOf = (body: string) => readMarker<{ plan?: PlanRecord }>("diagnosis", body)?.plan;

/** Mocks the creation of `n` follow-ups (issue + sub-issue link) and returns what was created. */
/** `n` follow-ups created as #941.., linked, and the documentation's dependency on the consolidation (#942 ← #941). */
function mockCreate(scope: nock.Scope, n: number) {
  const created: Array<{ title: string; labels: string[]; body: string; milestone?: number }> = [];
  scope
    .post(`${REPO}/issues`)
    .times(n)
    .reply(201, (_u, b: any) => {
      created.push(b);
      return createdIssueJson(REPO, 940 + created.length, b);
    })
    .post(`${REPO}/issues/930/sub_issues`)
    .times(n)
    .reply(201, { id: 1 });
  mockDependencies(scope, [[942, 9941]]);
  return created;
}

describe("/triage apply", () => {
  it("creates exactly what the plan shown lists, each with the review label, and clears the plan", async () => {
    const shown = await showPlan({ subIssues: [followUpIssue("immediate-fix")] });
    const plan = planOf(shown.body)!;
    let updated = "";
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], [followUpIssue("immediate-fix")]);
    mockStructureReads(scope);
    const created = mockCreate(scope, 3);
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    await app().receive(commentEvent({ body: `/triage apply ${plan.id}` }));
    expect(created.map((c) => c.title)).toEqual(plan.items.filter((i) => i.action === "create").map((i) => i.title));
    for (const c of created) expect(c.labels).toContain("needs-review");
    expect(planOf(updated)).toBeUndefined();
    expect(updated).toContain("#941");
    // Created with what the plan showed: milestones and the dependency.
    expect(created.map((c) => c.milestone)).toEqual([2, 2, 3]);
    expect(updated).toMatch(/#942 .* — open · blocked by #941 · milestone `Sprint 48` · type `Task`/);
  });

  it("refuses a read-only user and writes nothing", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "reader", ROLE.read);
    mockNoEarlierNotice(scope);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply", login: "reader" }));
    expect(reply.body).toBe(
      '<!-- config-triage:notice {"notice":"command-role","user":"reader"} -->\n> /triage apply\n\n😕 `/triage ' +
        "apply` needs the `write` role or higher; `reader` has `read` on this repository",
    );
  });

  it("refuses a triage user (apply needs write)", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.triage);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply" }));
    expect(reply.body).toContain("`maintainer` has `triage`");
  });

  it("refuses a stale plan when the live state changed, shows the new plan and says what changed", async () => {
    const shown = await showPlan();
    const old = planOf(shown.body)!;
    setServices({ fixed: true });
    let updated = "";
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], []);
    mockStructureReads(scope);
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: `/triage apply ${old.id}` }));
    const fresh = planOf(updated)!;
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.items.map((i) => i.template)).not.toContain("immediate-fix");
    expect(reply.body).toContain(
      "😕 the plan is out of date (the live check no longer finds `missing:staging:netra-backend:JWT_SECRET_STAGING`; " +
        "follow-up `immediate-fix` is no longer planned)",
    );
    expect(reply.body).toContain(`comment \`/triage apply ${fresh.id}\``);
  });

  it("refuses a stale plan when a milestone it showed changed, and says which", async () => {
    const shown = await showPlan();
    // Sprint 48 was closed since: `next` is now Sprint 49, and `next+1` matches none.
    const milestones = scenarioMilestones().filter((m) => m.title !== "Sprint 48");
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], []);
    mockStructureReads(scope, { milestones });
    let updated = "";
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply" }));
    expect(reply.body).toContain("follow-up `ssot-consolidation` changed (milestone: `Sprint 48` → `Sprint 49`)");
    expect(reply.body).toContain("follow-up `health-monitoring` changed (milestone: `Sprint 49` → none)");
    // The fresh plan shown says why the monitoring has no milestone now.
    expect(updated).toMatch(
      new RegExp(
        String.raw`- \x60health-monitoring\x60: no milestone: only 1 open milestone is due after \d{4}-\d\d-\d\d ` +
          String.raw`\(\x60next\+1\x60 needs 2\); it opens without\.`,
      ),
    );
  });

  it("refuses when the config changed since the plan", async () => {
    const shown = await showPlan();
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope, `${scenarioConfigYaml}review_label: triage-review\n`);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], []);
    mockStructureReads(scope);
    scope.patch(`${REPO}/issues/comments/555`).reply(200, { id: 555 });
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply" }));
    expect(reply.body).toContain("`.github/config-triage.yml` changed");
    expect(reply.body).toContain("follow-up `immediate-fix` changed (labels)");
  });

  it("refuses a plan id that is not the plan shown last, and a malformed id", async () => {
    const shown = await showPlan();
    const reply: { body?: string } = {};
    let scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], []);
    mockStructureReads(scope);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply 0000000" }));
    expect(reply.body).toContain(`plan \`0000000\` is not the plan shown last (\`${planOf(shown.body)!.id}\`)`);

    scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage apply latest" }));
    expect(reply.body).toContain("`latest` is not a plan id");
  });

  it("never re-creates a rejected follow-up", async () => {
    const rejected = followUpIssue("immediate-fix", {
      state: "closed",
      state_reason: "not_planned",
      body:
        '<!-- config-triage:follow-up {"parent":930,"template":"immediate-fix","rejected":true} ' +
        "-->\nFollow-up of #930",
    });
    const shown = await showPlan({ subIssues: [rejected] });
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [shown], [rejected]);
    mockStructureReads(scope);
    const created = mockCreate(scope, 3);
    scope.patch(`${REPO}/issues/comments/555`).reply(200, { id: 555 });
    await app().receive(commentEvent({ body: "/triage apply" }));
    expect(created.map((c) => c.title)).not.toContainEqual(expect.stringContaining("Fix configuration"));
    expect(created).toHaveLength(3);
  });

  it("ignores a plan in a marker a person pasted: no plan was shown, so it refuses and shows a real one", async () => {
    const real = await showPlan();
    const plan = planOf(real.body)!;
    const spoof = {
      id: 600,
      body: real.body,
      user: { login: "mallory", type: "User" },
      performed_via_github_app: null,
    };
    const reply: { body?: string } = {};
    let posted = "";
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockTriageReads(scope, [spoof], []);
    mockStructureReads(scope);
    scope.post(`${REPO}/issues/930/comments`).reply(201, (_u, b: any) => ((posted = b.body), { id: 555 }));
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: `/triage apply ${plan.id}` }));
    expect(reply.body).toContain("no plan has been shown on this issue yet");
    expect(planOf(posted)!.id).toBe(plan.id);
  });
});
