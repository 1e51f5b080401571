/**
 * Who can start a triage with the label, and the caps: through the real app on the GitHub stand-in (which keeps what
 * the app wrote, so a second attempt sees the first one's comment) and the Cloud Run emulator.
 */
import { createMemoryRateLimitStore } from "../../src/adapters/rate-limits/rate-limit-store.js";
import { readMarker } from "../../src/domain/issue-state/markers.js";
import { scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";
import {
  addScenarioRepo,
  FULL,
  labeledEvent,
  postCommand,
  startStandInApp,
  type StandInApp,
} from "../support/standin-app.js";

let app: StandInApp;

beforeAll(async () => {
  app = await startStandInApp();
});
afterAll(() => app.close());

let repoCount = 0;
/**
 * Each test gets its own repository state: a fresh stand-in repo is not possible, so a fresh issue in a fresh config.
 */
function setUp(o: { config?: string } = {}) {
  const { standIn } = app;
  if (repoCount++ === 0) addScenarioRepo(app, o);
  else standIn.setFile(FULL, ".github/config-triage.yml", o.config ?? scenarioConfigYaml);
  standIn.requests.length = 0;
  return standIn.addIssue(FULL, {
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "stranger", type: "User" },
    labels: ["triage:config"],
  });
}

const writes = () => app.standIn.requests.filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"));
const appComments = (number: number) => app.standIn.issue(FULL, number)!.comments.filter((c) => c.user.type === "Bot");

afterEach(() => {
  expect(app.standIn.violations).toEqual([]);
});

describe("the trigger label's sender", () => {
  it("a stranger's label (an issue form's) runs no check, opens nothing, and says so once", async () => {
    const issue = setUp();
    const probot = app.probot();
    const calls = app.emulator.calls.length;
    await probot.receive(labeledEvent(issue, { sender: "stranger" }));
    const first = appComments(issue.number);
    expect(first).toHaveLength(1);
    expect(first[0].body).toContain(
      "🔒 **config-triage did not run**: the `triage:config` label was added by @&#8203;stranger, and " +
        "@&#8203;stranger does not have the `triage` role or higher",
    );
    expect(first[0].body).toContain("`label_role` in `.github/config-triage.yml`");
    expect(readMarker("notice", first[0].body)).toEqual({ notice: "label-role" });
    expect(app.emulator.calls.length).toBe(calls);
    expect(app.standIn.issues(FULL).filter((i) => i.number > issue.number)).toEqual([]);

    // The stranger removes and adds the label again: nothing new is written.
    await probot.receive(labeledEvent(issue, { sender: "stranger" }));
    expect(appComments(issue.number)).toHaveLength(1);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${FULL}/issues/${issue.number}/comments`,
    ]);
  });

  it("a pasted notice marker does not silence the app's own note", async () => {
    const issue = setUp();
    app.standIn.addComment(FULL, issue.number, {
      body: '<!-- config-triage:notice {"notice":"label-role"} -->',
      user: { login: "stranger", type: "User" },
    });
    await app.probot().receive(labeledEvent(issue, { sender: "stranger" }));
    expect(appComments(issue.number)).toHaveLength(1);
  });

  it("a triager's label runs the triage", async () => {
    const issue = setUp();
    await app.probot().receive(labeledEvent(issue, { sender: "maintainer" }));
    expect(appComments(issue.number)[0].body).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
    expect(app.standIn.issue(FULL, issue.number)!.sub_issues).toHaveLength(4);
  });

  it("`label_role: write` refuses a triager and names the role; `label_role: anyone` lets anyone through", async () => {
    const issue = setUp({ config: `${scenarioConfigYaml}label_role: write\n` });
    await app.probot().receive(labeledEvent(issue, { sender: "maintainer" }));
    expect(appComments(issue.number)[0].body).toContain("does not have the `write` role or higher");
    const other = setUp({ config: `${scenarioConfigYaml}label_role: anyone\n` });
    await app.probot().receive(labeledEvent(other, { sender: "stranger" }));
    expect(app.standIn.issue(FULL, other.number)!.sub_issues).toHaveLength(4);
  });

  it("labels added by a bot (the app's own follow-ups carry template labels) are ignored, no request", async () => {
    const issue = setUp();
    await app.probot().receive(labeledEvent(issue, { sender: app.standIn.botLogin, senderType: "Bot" }));
    expect(app.standIn.requests.filter((r) => !r.path.includes("access_tokens"))).toEqual([]);
  });
});

describe("caps", () => {
  it("opens at most `max_follow_ups` follow-ups per triage, says so, and the next triage opens the rest", async () => {
    const issue = setUp({ config: `${scenarioConfigYaml}max_follow_ups: 3\n` });
    const probot = app.probot();
    await probot.receive(labeledEvent(issue));
    expect(app.standIn.issue(FULL, issue.number)!.sub_issues).toHaveLength(3);
    const comment = appComments(issue.number)[0].body;
    expect(comment).toContain("#### Follow-up limit reached");
    expect(comment).toContain(
      "This triage needed 4 new follow-up issues; `max_follow_ups` in `.github/config-triage.yml` allows 3 per " +
        "triage, so the first 3 were opened and 1 were not.",
    );
    await probot.receive(postCommand(app, issue, "/triage recheck"));
    expect(app.standIn.issue(FULL, issue.number)!.sub_issues).toHaveLength(4);
    expect(appComments(issue.number)[0].body).not.toContain("Follow-up limit reached");
  });

  it("refuses a triage past `max_triages_per_hour`, reports it once with the reset time; counts commands", async () => {
    let now = Date.parse("2025-05-01T10:00:00Z");
    const store = createMemoryRateLimitStore(() => now);
    const issue = setUp({ config: `${scenarioConfigYaml}max_triages_per_hour: 2\n` });
    const probot = app.probot({ rateLimits: store });
    await probot.receive(labeledEvent(issue));
    await probot.receive(postCommand(app, issue, "/triage recheck"));
    const before = app.emulator.calls.length;
    app.standIn.requests.length = 0;

    await probot.receive(labeledEvent(issue));
    const notices = appComments(issue.number).filter((c) => c.body.startsWith("⏳"));
    expect(notices).toHaveLength(1);
    expect(notices[0].body).toContain(
      `#${issue.number} has already been triaged 2 time(s) this hour, the limit set by \`max_triages_per_hour\` (2) ` +
        `in \`.github/config-triage.yml\`.`,
    );
    expect(notices[0].body).toMatch(/The limit resets at \d\d:\d\d UTC \(in 60 min\)/);
    expect(notices[0].body).toContain("To allow more, raise `max_triages_per_hour`.");
    expect(app.emulator.calls.length).toBe(before);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${FULL}/issues/${issue.number}/comments`,
    ]);

    // A second refused label in the same hour stays silent; a command gets its answer in the reply.
    await probot.receive(labeledEvent(issue));
    expect(appComments(issue.number).filter((c) => c.body.startsWith("⏳"))).toHaveLength(1);
    await probot.receive(postCommand(app, issue, "/triage recheck"));
    expect(appComments(issue.number).at(-1)!.body).toContain("😕 ⏳ **config-triage did not run this triage**");

    // An hour later the count starts again.
    now += 3_600_001;
    const callsBefore = app.emulator.calls.length;
    await probot.receive(postCommand(app, issue, "/triage recheck"));
    expect(app.emulator.calls.length).toBeGreaterThan(callsBefore);
    expect(appComments(issue.number).filter((c) => c.body.includes("did not run this triage"))).toHaveLength(2);
  });

  it("the rate limit is per issue", async () => {
    const store = createMemoryRateLimitStore();
    const config = `${scenarioConfigYaml}max_triages_per_hour: 1\n`;
    const a = setUp({ config });
    const b = setUp({ config });
    const probot = app.probot({ rateLimits: store });
    await probot.receive(labeledEvent(a));
    await probot.receive(labeledEvent(b));
    expect(app.standIn.issue(FULL, a.number)!.sub_issues).toHaveLength(4);
    expect(app.standIn.issue(FULL, b.number)!.sub_issues).toHaveLength(4);
  });
});
