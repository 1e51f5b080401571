import nock from "nock";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import {
  API,
  REPO,
  app,
  commentEvent,
  diagnosisComment,
  followUpIssue,
  mockBlockedBy,
  mockConfig,
  mockReactions,
  mockReply,
  mockRole,
  mockTriageReads,
  RECORDED_FOLLOW_UPS,
  ROLE,
  setServices,
  TEMPLATES,
  useCommandTestEnvironment,
  mockNoEarlierNotice,
} from "./harness.js";

useCommandTestEnvironment();

const MISSING = "missing:staging:netra-backend:JWT_SECRET_STAGING";
/** The scenario's drift notes (warnings): production lacks variables staging has. They stay across checks. */
const DRIFT = ["drift:staging>production:netra-backend", "drift:staging>production:auth-service"];
const allFollowUps = () => TEMPLATES.map((t) => followUpIssue(t));

describe("/triage recheck", () => {
  it("re-runs the check for a triage user and updates the diagnosis in place, saying nothing changed", async () => {
    let updated = "";
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.triage);
    mockTriageReads(
      scope,
      [diagnosisComment({ followUps: RECORDED_FOLLOW_UPS, problems: [MISSING, ...DRIFT] })],
      allFollowUps(),
    );
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(updated).toContain("#### Changed since the last check\nNothing changed since the last check.");
    expect(updated).toContain("- [ ] #931 immediate-fix — open");
    expect(readMarker("diagnosis", updated)).toMatchObject({ problems: [MISSING, ...DRIFT] });
  });

  it("after an upgrade, does not call drift notes new when the old state (version 1) had no drift", async () => {
    let updated = "";
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.triage);
    // Written by the first release: `v: 1`, no `kinds`, and no drift keys, because it did not look for drift.
    mockTriageReads(
      scope,
      [diagnosisComment({ v: 1, followUps: RECORDED_FOLLOW_UPS, problems: [MISSING] })],
      allFollowUps(),
    );
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(updated).toContain("#### Changed since the last check\nNothing changed since the last check.");
    expect(updated).not.toContain("❌ new");
    // The new state says what it recorded, so the next check does call new drift new.
    expect(readMarker("diagnosis", updated)).toMatchObject({
      v: 2,
      problems: [MISSING, ...DRIFT],
      kinds: expect.arrayContaining(["missing", "drift"]),
    });
  });

  it("calls drift new when the previous state recorded drift and had none", async () => {
    let updated = "";
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.triage);
    mockTriageReads(
      scope,
      [diagnosisComment({ v: 2, kinds: ["missing", "drift"], followUps: RECORDED_FOLLOW_UPS, problems: [MISSING] })],
      allFollowUps(),
    );
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(updated).toMatch(/- ❌ new: production \/ netra-backend lacks .*, which staging has/);
  });

  it("shows what was resolved, closes the parent when all checks pass, keeps a maintainer's note", async () => {
    setServices({ fixed: true });
    let updated = "";
    let closed: unknown;
    const previous = diagnosisComment({ followUps: RECORDED_FOLLOW_UPS, problems: [MISSING, ...DRIFT] });
    previous.body = `Maintainer note: see the incident doc.\n\n${previous.body}\n\nP.S. kept`;
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.maintain);
    mockTriageReads(scope, [previous], allFollowUps());
    scope.patch(`${REPO}/issues/comments/555`).reply(200, (_u, b: any) => ((updated = b.body), { id: 555 }));
    scope.patch(`${REPO}/issues/930`).reply(200, (_u, b) => ((closed = b), { number: 930 }));
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(updated).toContain(`- ✅ resolved: \`${MISSING}\``);
    expect(updated).toContain("closed as completed");
    expect(updated.startsWith("Maintainer note: see the incident doc.\n\n<!-- config-triage:diagnosis ")).toBe(true);
    expect(updated.endsWith("<!-- config-triage:end -->\n\nP.S. kept")).toBe(true);
    expect(closed).toEqual({ state: "closed", state_reason: "completed" });
  });

  it("ignores a diagnosis marker a person pasted: the run treats the issue as never checked", async () => {
    let created = "";
    const spoof = {
      ...diagnosisComment({ problems: ["made-up"] }),
      user: { login: "mallory", type: "User" },
      performed_via_github_app: null,
    };
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.triage);
    mockTriageReads(scope, [spoof], allFollowUps());
    // Without a state to trust, the documentation's dependencies are read: the link is there, so none is sent again.
    mockBlockedBy(scope, 933, [932]);
    scope.post(`${REPO}/issues/930/comments`).reply(201, (_u, b: any) => ((created = b.body), { id: 556 }));
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(created).toContain("This is the first check.");
  });

  it.each<[string, Record<string, unknown> | number, string]>([
    [
      "a read-only user",
      { ...ROLE.read },
      "`/triage recheck` needs the `triage` role or higher; `maintainer` has `read` on this repository",
    ],
    ["a non-collaborator", 404, "`maintainer` has no role on this repository"],
    [
      "a custom role GitHub gives no base permissions for (fail closed)",
      { permission: "write", role_name: "deployer" },
      "could not determine the role of `maintainer` (GitHub reports the custom role `deployer` without its base " +
        "permissions, so its rank is unknown), so the command was refused",
    ],
    [
      "an error of the permission API (fail closed)",
      500,
      "could not determine the role of `maintainer` (GitHub's permission API answered 500), so the command was refused",
    ],
  ])("refuses %s", async (name, answer, reason) => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", answer);
    // Someone with no role is answered once per issue: the app first looks whether it told them already.
    if (answer === 404 || name === "a read-only user") mockNoEarlierNotice(scope);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(reply.body).toContain("> /triage recheck\n\n😕 ");
    expect(reply.body).toContain(reason);
  });

  it("lets a custom role through on its base permissions", async () => {
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", {
      permission: "read",
      role_name: "oncall",
      user: { permissions: { pull: true, triage: true, push: false } },
    });
    mockTriageReads(scope, [diagnosisComment({ followUps: RECORDED_FOLLOW_UPS, problems: [MISSING] })], allFollowUps());
    scope.patch(`${REPO}/issues/comments/555`).reply(200, { id: 555 });
    await app().receive(commentEvent({ body: "/triage recheck" }));
  });
});
