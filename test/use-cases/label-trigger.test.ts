import nock from "nock";
import { readMarker } from "../../src/domain/issue-state/markers.js";
import { APP_ID, TRIAGE_PERMISSION } from "../support/probot.js";
import { EXAMPLE_SENDER, labeledPayload } from "../../dev/webhook-payloads.js";
import { testApp, useCloudRunEmulator } from "../support/test-app.js";
import {
  API,
  createdIssueJson,
  mockDependencies,
  mockInstallationToken,
  mockStructureReads,
  mockTriageReads,
} from "../support/github-mocks.js";
import {
  PLANTED_VALUES,
  SCENARIO_REPO,
  scenarioConfigYaml,
  scenarioIssue,
  scenarioServices,
} from "../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const REPO = `/repos/${owner}/${repo}`;
const bot = { login: "config-triage[bot]", type: "Bot" };
const viaApp = { id: APP_ID, slug: "config-triage" };

const cloudRun = useCloudRunEmulator({ blockNetwork: true });
const app = () => testApp(cloudRun.clients);

function labeled(label = "triage:config") {
  return {
    id: "delivery-1",
    name: "issues" as const,
    payload: labeledPayload({ owner, repo, ...scenarioIssue, label }) as any,
  };
}

/** Every body the app sent to GitHub, to check that no planted value ever leaves the process. */
const sentBodies: string[] = [];

beforeEach(() => {
  nock.cleanAll();
  mockInstallationToken();
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  for (const body of sentBodies) for (const value of PLANTED_VALUES) expect(body).not.toContain(value);
});

function recordBody(body: unknown) {
  sentBodies.push(JSON.stringify(body));
  return true;
}

describe("issues.labeled with the trigger label (canonical scenario, issue #930)", () => {
  it("diagnoses the missing JWT_SECRET_STAGING, opens four linked follow-ups, keeps the parent open", async () => {
    for (const s of scenarioServices().services) cloudRun.emulator.setService(s);
    const created: Array<{ title: string; body: string; labels: string[]; milestone?: number; type?: string }> = [];
    const linked: number[] = [];
    const dependencies: Array<{ blocked: number; issue_id: number }> = [];
    let comment = "";
    const scope = mockTriageReads(
      nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION),
    )
      // Before opening follow-ups: who the app is (once per process), and what it opened before on this repository.
      .get("/app")
      .reply(200, { id: APP_ID, slug: "config-triage" })
      .get(`${REPO}/issues`)
      .query((q) => q.creator === "config-triage[bot]" && q.state === "all")
      .reply(200, []);
    // The templates ask for milestones (`next`, `next+1`) and types: the open milestones and the issue types are read.
    mockStructureReads(scope);
    // The documentation (#933) waits for the consolidation (#932, id 9932): one request for the one link.
    mockDependencies(scope, [[933, 9932]], dependencies);
    scope
      .post(`${REPO}/issues`, (body) => recordBody(body))
      .times(4)
      .reply(201, (_uri, body: any) => {
        created.push(body);
        return createdIssueJson(REPO, 930 + created.length, body);
      })
      .post(`${REPO}/issues/930/sub_issues`, (body) => recordBody(body))
      .times(4)
      .reply(201, (_uri, body: any) => {
        linked.push(body.sub_issue_id);
        return { id: body.sub_issue_id, number: 0 };
      })
      .post(`${REPO}/issues/930/comments`, (body) => recordBody(body))
      .reply(201, (_uri, body: any) => {
        comment = body.body;
        return { id: 555, body: body.body };
      });

    await app().receive(labeled());

    expect(comment).toContain(
      "`JWT_SECRET_STAGING` is missing on staging / netra-backend (also looked for `JWT_SECRET`)",
    );
    expect(comment).toContain(
      "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    );
    expect(comment).toMatch(
      new RegExp(
        String.raw`\| \x60auth-service\x60 \| \x60JWT_SECRET_STAGING\x60 \| ✅ set \| ` +
          String.raw`Secret Manager \x60jwt-secret-staging\x60 version \x60latest\x60 in \x60placeholder-1\x60 \|`,
      ),
    );
    expect(comment).toContain("This issue stays open");
    expect(comment).toContain("- [ ] #931");
    expect(comment).toContain("- [ ] #934");
    expect(created.map((c) => c.title)).toEqual([
      "Fix configuration: JWT_SECRET_STAGING missing on staging",
      "Consolidate configuration into a single source of truth (JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION)",
      "Document the configuration flow of JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION",
      "Monitor configuration health of staging, production",
    ]);
    expect(created[0].labels).toContain("priority:critical");
    // mode: auto (the default): each follow-up waits for a maintainer's review.
    for (const c of created) expect(c.labels).toContain("needs-review");
    for (const c of created) expect(c.body).toContain("#930");
    expect(linked).toEqual([9931, 9932, 9933, 9934]);
    expect(readMarker("diagnosis", comment)).toMatchObject({
      followUps: [
        { template: "immediate-fix", number: 931, id: 9931 },
        {},
        { template: "flow-documentation", number: 933, blockedBy: [932] },
        {},
      ],
    });
    // The plan's structure: types, milestones (by due date after today), and the one dependency, recorded once.
    expect(created.map((c) => [c.type, c.milestone])).toEqual([
      ["Bug", undefined],
      ["Task", 2],
      ["Task", 2],
      ["Task", 3],
    ]);
    expect(dependencies).toEqual([{ blocked: 933, issue_id: 9932 }]);
    expect(created[2].body).toContain(
      "- [ ] Blocked by #932 — Consolidate configuration into a single source of truth",
    );
    expect(comment).toMatch(
      new RegExp(
        String.raw`^- \[ \] #933 Document the configuration flow .* — open · blocked by #932 · ` +
          String.raw`milestone \x60Sprint 48\x60 · type \x60Task\x60$`,
        "m",
      ),
    );
    expect(comment).toContain(
      "- [ ] #934 Monitor configuration health of staging, production — open · milestone `Sprint 49` · type `Task`",
    );
    expect(comment).not.toContain("Not set on the follow-ups");
  });

  it("closes the parent once the secret is set, opens nothing new, and rewrites the same comment", async () => {
    for (const s of scenarioServices({ fixed: true }).services) cloudRun.emulator.setService(s);
    const followUps = ["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"].map(
      (template, i) => ({
        id: 9931 + i,
        number: 931 + i,
        title: template,
        state: "open",
        body: `<!-- config-triage:follow-up {"parent":930,"template":"${template}"} -->\nFollow-up of #930`,
        user: bot,
        performed_via_github_app: viaApp,
      }),
    );
    const previous = `<!-- config-triage:diagnosis {"v":1,"followUps":[],"problems":[]} -->\nold`;
    let updated = "";
    let closed: unknown;
    const comments = [{ id: 555, body: previous, user: bot, performed_via_github_app: viaApp }];
    const dependencies: Array<{ blocked: number; issue_id: number }> = [];
    const scope = mockTriageReads(
      nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION),
      { comments, subIssues: followUps },
    )
      // Follow-ups opened before dependencies were recorded: the documentation's are read once, the missing link made.
      .get(`${REPO}/issues/933/dependencies/blocked_by`)
      .query(true)
      .reply(200, []);
    mockDependencies(scope, [[933, 9932]], dependencies)
      .patch(`${REPO}/issues/comments/555`, (body) => recordBody(body))
      .reply(200, (_uri, body: any) => {
        updated = body.body;
        return { id: 555 };
      })
      .patch(`${REPO}/issues/930`, (body) => recordBody(body))
      .reply(200, (_uri, body) => {
        closed = body;
        return { number: 930, state: "closed" };
      })
      // The fix follow-up (opened before its problems were recorded: it closes when every check passes) is closed
      // first, in one request, with a one-line comment saying why; the long-term ones stay open.
      .patch(`${REPO}/issues/931`, (body) => recordBody(body))
      .reply(200, (_uri, body) => {
        fixClosed = body;
        return { number: 931, state: "closed" };
      })
      .post(`${REPO}/issues/931/comments`, (body) => recordBody(body))
      .reply(201, (_uri, body: any) => {
        fixComment = body.body;
        return { id: 777 };
      });
    let fixClosed: unknown;
    let fixComment = "";

    await app().receive(labeled());

    expect(closed).toEqual({ state: "closed", state_reason: "completed" });
    expect(fixClosed).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(fixComment).toMatch(/^✅ Fixed: every check passes in the live check of \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(fixComment).toContain("`/triage reopen` on #930 reopens it");
    expect(fixComment.split("\n")).toHaveLength(1);
    expect(updated).toContain("every check passes");
    expect(updated).toContain("closed this issue as completed, and its fix #931 with it");
    expect(updated).toMatch(/- \[x\] #931 /);
    expect(readMarker("diagnosis", updated)).toMatchObject({ autoClosed: [931] });
    for (let n = 931; n <= 934; n++) expect(updated).toContain(`#${n}`);
    expect(dependencies).toEqual([{ blocked: 933, issue_id: 9932 }]);
    expect(readMarker("diagnosis", updated)).toMatchObject({
      followUps: [{}, {}, { number: 933, blockedBy: [932] }, {}],
    });
  });

  it("resumes a run that died after two of four follow-ups: finds the unlinked one, opens the other two", async () => {
    for (const s of scenarioServices().services) cloudRun.emulator.setService(s);
    const followUp = (template: string, number: number, author: "app" | "person") => ({
      id: 9000 + number,
      number,
      title: template,
      state: "open",
      body: `<!-- config-triage:follow-up {"parent":930,"template":"${template}"} -->\nFollow-up of #930`,
      user: author === "app" ? bot : { login: "mallory", type: "User" },
      performed_via_github_app: author === "app" ? viaApp : null,
    });
    const linkedBefore = followUp("immediate-fix", 931, "app");
    const orphan = followUp("ssot-consolidation", 932, "app");
    const forged = followUp("flow-documentation", 933, "person");
    const created: string[] = [];
    const linked: number[] = [];
    let comment = "";
    const dependencies: Array<{ blocked: number; issue_id: number }> = [];
    const scope = mockTriageReads(
      nock(API).get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`).reply(200, TRIAGE_PERMISSION),
      { subIssues: [linkedBefore] },
    )
      .get(`${REPO}/issues`)
      .query((q) => q.creator === "config-triage[bot]" && q.state === "all")
      .reply(200, [forged, orphan, linkedBefore]);
    mockStructureReads(scope);
    // The new documentation follow-up (#935) waits for the consolidation the dead run opened (#932): linked at once.
    mockDependencies(scope, [[935, 9932]], dependencies)
      .post(`${REPO}/issues`, (body) => recordBody(body))
      .times(2)
      .reply(201, (_uri, body: any) => {
        created.push(body.title);
        return createdIssueJson(REPO, 934 + created.length, body);
      })
      .post(`${REPO}/issues/930/sub_issues`, (body) => recordBody(body))
      .times(3)
      .reply(201, (_uri, body: any) => {
        linked.push(body.sub_issue_id);
        return { id: body.sub_issue_id, number: 0 };
      })
      .post(`${REPO}/issues/930/comments`, (body) => recordBody(body))
      .reply(201, (_uri, body: any) => {
        comment = body.body;
        return { id: 556, body: body.body };
      });

    await app().receive(labeled());

    expect(created).toEqual([
      "Document the configuration flow of JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION",
      "Monitor configuration health of staging, production",
    ]);
    expect(linked.sort()).toEqual([9932, 9935, 9936]);
    for (const n of [931, 932, 935, 936]) expect(comment).toContain(`#${n}`);
    expect(comment).not.toContain("#933");
    expect(dependencies).toEqual([{ blocked: 935, issue_id: 9932 }]);
  });

  it("ignores a label that is not a trigger (only the config is read)", async () => {
    nock(API).get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, scenarioConfigYaml);
    await app().receive(labeled("bug"));
  });

  it("answers an invalid config with one comment naming the file, the line and the fix; nothing else", async () => {
    const broken = scenarioConfigYaml.replace(
      "    region: us-central1\n    services: [netra-backend, auth-service]\n  production",
      "    regoin: us-central1\n    services: [netra-backend, auth-service]\n  production",
    );
    let comment = "";
    nock(API)
      .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
      .reply(200, TRIAGE_PERMISSION)
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .reply(200, broken)
      .get(`${REPO}/issues/930/comments`)
      .query(true)
      .reply(200, [])
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .reply(200, broken)
      .post(`${REPO}/issues/930/comments`)
      .reply(201, (_uri, body: any) => {
        comment = body.body;
        return { id: 556 };
      });
    await app().receive(labeled());
    expect(comment).toContain(
      "`.github/config-triage.yml`, line 6, column 5: unknown key `regoin` in `environments.staging`: did you mean " +
        "`region`?",
    );
    expect(comment).toContain(
      "`.github/config-triage.yml`, line 5, column 5: `environments.staging.region` is required",
    );
    expect(comment).toContain("Nothing else was changed");
  });

  it("reports a broken repository template with its file and line, and creates nothing", async () => {
    for (const s of scenarioServices().services) cloudRun.emulator.setService(s);
    let comment = "";
    nock(API)
      .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
      .reply(200, TRIAGE_PERMISSION)
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .reply(200, scenarioConfigYaml)
      .get(`${REPO}/issues/930/comments`)
      .query(true)
      .reply(200, [])
      .get(`${REPO}/contents/.github%2Fconfig-triage`)
      .reply(200, [{ type: "file", name: "immediate-fix.md", path: ".github/config-triage/immediate-fix.md" }])
      .get(`${REPO}/contents/.github%2Fconfig-triage%2Fimmediate-fix.md`)
      .reply(200, "---\ntitle: Fix {{parent.number}}\n---\nHello {{#each problems}}\n")
      .get(`${REPO}/issues/930/sub_issues`)
      .query(true)
      .reply(200, [])
      .post(`${REPO}/issues/930/comments`)
      .reply(201, (_uri, body: any) => {
        comment = body.body;
        return { id: 557 };
      });
    await app().receive(labeled());
    expect(comment).toMatch(/`\.github\/config-triage\/immediate-fix\.md`, line \d+: the body does not parse/);
  });
});
