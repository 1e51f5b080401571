import nock from "nock";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import type { PlanRecord } from "../../../src/domain/follow-up-plan/summarize-plan.js";
import { TRIAGE_PERMISSION } from "../../support/probot.js";
import { EXAMPLE_SENDER, labeledPayload } from "../../../dev/webhook-payloads.js";
import { scenarioConfigYaml, scenarioIssue } from "../../../dev/scenario.js";
import { mockStructureReads } from "../../support/github-mocks.js";
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
  owner,
  repo,
  ROLE,
  showPlan,
  useCommandTestEnvironment,
  mockNoEarlierNotice,
} from "./harness.js";

useCommandTestEnvironment();

describe("/triage plan", () => {
  it("shows what apply would create (titles, labels, assignees) with a plan id, and creates nothing", async () => {
    const comment = await showPlan();
    const plan = readMarker<{ plan: PlanRecord }>("diagnosis", comment.body)!.plan;
    expect(plan.id).toMatch(/^[0-9a-f]{7}$/);
    expect(comment.body).toContain(`#### Plan \`${plan.id}\`\n\`/triage apply ${plan.id}\` would create:`);
    expect(comment.body).toContain(
      "| `immediate-fix` | Fix configuration: JWT_SECRET_STAGING missing on staging | — | — | `Bug` | " +
        "`priority:critical`, `config-triage`, `needs-review` | — |",
    );
    // The dependencies and milestones the follow-ups will get (issue 16): the documentation waits for the
    // consolidation.
    expect(comment.body).toMatch(
      new RegExp(
        String.raw`^\| \x60flow-documentation\x60 \| Document the configuration flow of .* ` +
          String.raw`\| \x60ssot-consolidation\x60 \| \x60Sprint 48\x60 \| \x60Task\x60 \| `,
        "m",
      ),
    );
    expect(comment.body).toMatch(/^\| `health-monitoring` \| .* \| — \| `Sprint 49` \| `Task` \| /m);
    expect(plan.items.find((i) => i.template === "flow-documentation")).toMatchObject({
      blockedBy: ["ssot-consolidation"],
      milestone: "Sprint 48",
      type: "Task",
    });
    expect(plan.items.map((i) => `${i.template}:${i.action}`)).toEqual([
      "immediate-fix:create",
      "ssot-consolidation:create",
      "flow-documentation:create",
      "health-monitoring:create",
    ]);
  });

  it("lists the follow-ups that exist already, with their state, and does not plan them again", async () => {
    const comment = await showPlan({
      subIssues: [
        followUpIssue("immediate-fix"),
        followUpIssue("health-monitoring", { state: "closed", state_reason: "not_planned" }),
      ],
    });
    const plan = readMarker<{ plan: PlanRecord }>("diagnosis", comment.body)!.plan;
    expect(plan.items.filter((i) => i.action === "create").map((i) => i.template)).toEqual([
      "ssot-consolidation",
      "flow-documentation",
    ]);
    expect(comment.body).toContain("- `immediate-fix`: #931\n- `health-monitoring`: #934 (rejected)");
    expect(comment.body).toContain("#931 immediate-fix — open");
    expect(comment.body).toContain("#934 health-monitoring — rejected");
  });

  it("is refused for a read-only user", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.read);
    mockNoEarlierNotice(scope);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage plan" }));
    expect(reply.body).toContain("needs the `triage` role or higher");
  });
});

describe("mode: review", () => {
  it("the trigger label posts the diagnosis and the plan, and creates nothing", async () => {
    let comment = "";
    const scope = nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION);
    mockConfig(scope, `${scenarioConfigYaml}mode: review\n`);
    mockStructureReads(mockTriageReads(scope, [], []))
      .post(`${REPO}/issues/930/comments`)
      .reply(201, (_u, b: any) => ((comment = b.body), { id: 555 }));
    await app().receive({
      id: "d",
      name: "issues",
      payload: labeledPayload({ owner, repo, ...scenarioIssue, label: "triage:config" }) as any,
    });
    expect(comment).toContain("would create:");
    expect(readMarker<{ plan: PlanRecord }>("diagnosis", comment)!.plan.items).toHaveLength(4);
  });
});
