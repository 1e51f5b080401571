import nock from "nock";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import {
  API,
  REPO,
  app,
  bot,
  commentEvent,
  diagnosisComment,
  followUpIssue,
  mockConfig,
  mockReactions,
  mockReply,
  mockRole,
  ROLE,
  TEMPLATES,
  useCommandTestEnvironment,
  viaApp,
} from "./harness.js";

useCommandTestEnvironment();

const FOLLOW_UP_BODY =
  '<!-- config-triage:follow-up {"parent":930,"template":"ssot-consolidation"} -->\n\nConsolidate.\n\nFollow-up ' +
  "of #930.\n\nA note a maintainer added.";
const onFollowUp = (body: string, extra: Record<string, unknown> = {}) =>
  commentEvent({
    body,
    issue: {
      number: 932,
      title: "Consolidate configuration",
      body: FOLLOW_UP_BODY,
      user: bot,
      performed_via_github_app: viaApp,
      html_url: "https://github.com/x/y/issues/932",
      ...extra,
    },
  });
const parentComment = () =>
  diagnosisComment(
    { followUps: TEMPLATES.map((t, i) => ({ template: t, number: 931 + i, id: 9931 + i })) },
    "Maintainer-visible diagnosis\n\n#### Follow-up issues\n- [ ] #931 immediate-fix — open\n- [ ] #932 " +
      "ssot-consolidation — open\n- [ ] #933 flow-documentation — open\n- [ ] #934 health-monitoring — " +
      "open\n\nThis issue stays open.",
  );

function mockParentUpdate(
  scope: nock.Scope,
  into: { body?: string },
  subIssues = TEMPLATES.map((t) => followUpIssue(t)),
) {
  return scope
    .get(`${REPO}/issues/930/comments`)
    .query(true)
    .reply(200, [parentComment()])
    .get(`${REPO}/issues/930/sub_issues`)
    .query(true)
    .reply(200, subIssues)
    .patch(`${REPO}/issues/comments/555`)
    .reply(200, (_u, b: any) => ((into.body = b.body), { id: 555 }));
}

describe("/triage approve", () => {
  it("takes the review label off the follow-up, shows it approved on the parent, rewrites only that list", async () => {
    const parent: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.write);
    scope.delete(`${REPO}/issues/932/labels/needs-review`).reply(200, []);
    mockParentUpdate(scope, parent);
    await app().receive(onFollowUp("/triage approve"));
    expect(parent.body).toContain("- [ ] #932 ssot-consolidation — approved");
    expect(parent.body).toContain("- [ ] #931 immediate-fix — open");
    expect(parent.body).toContain("Maintainer-visible diagnosis");
    expect(readMarker("diagnosis", parent.body)).toMatchObject({ reviews: { "ssot-consolidation": "approved" } });
  });

  it("is refused on the triaged issue itself, and on an issue where a person pasted a follow-up marker", async () => {
    const reply: { body?: string } = {};
    let scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage approve" }));
    expect(reply.body).toContain("`/triage approve` works only on a follow-up issue that config-triage opened");

    scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockReply(scope, reply, 932);
    await app().receive(
      onFollowUp("/triage reject", { user: { login: "mallory", type: "User" }, performed_via_github_app: null }),
    );
    expect(reply.body).toContain("`/triage reject` works only on a follow-up issue that config-triage opened");
  });

  it("refuses parent commands on a follow-up", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockReply(scope, reply, 932);
    await app().receive(onFollowUp("/triage apply"));
    expect(reply.body).toContain("`/triage apply` works on the triaged issue, not on a follow-up: use it on #930");
  });
});

describe("/triage reject", () => {
  it("closes the follow-up as not planned with the reason; marks it rejected in its marker, the parent", async () => {
    const parent: { body?: string } = {};
    const reply: { body?: string } = {};
    let newBody = "";
    let closed: unknown;
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.maintain);
    scope
      .patch(`${REPO}/issues/932`, (b) => "body" in b)
      .reply(200, (_u, b: any) => ((newBody = b.body), { number: 932 }));
    scope.patch(`${REPO}/issues/932`, (b) => "state" in b).reply(200, (_u, b) => ((closed = b), { number: 932 }));
    mockParentUpdate(scope, parent);
    mockReply(scope, reply, 932);
    await app().receive(onFollowUp("/triage reject we already have @platform/ssot tracking this"));
    expect(closed).toEqual({ state: "closed", state_reason: "not_planned" });
    expect(newBody).toBe(FOLLOW_UP_BODY.replace('"ssot-consolidation"}', '"ssot-consolidation","rejected":true}'));
    expect(parent.body).toContain("- [ ] #932 ssot-consolidation — rejected");
    expect(readMarker("diagnosis", parent.body)).toMatchObject({ reviews: { "ssot-consolidation": "rejected" } });
    expect(reply.body).toContain("closed as not planned");
    expect(reply.body).toContain("> we already have @&#8203;platform/ssot tracking this");
  });

  it("is refused for a triage user (reject needs write)", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.triage);
    mockReply(scope, reply, 932);
    await app().receive(onFollowUp("/triage reject"));
    expect(reply.body).toContain("`/triage reject` needs the `write` role or higher");
  });

  it("a rejected follow-up cannot be approved later", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockReply(scope, reply, 932);
    await app().receive(onFollowUp("/triage approve", { state: "closed", state_reason: "not_planned" }));
    expect(reply.body).toContain("this follow-up was rejected");
  });
});
