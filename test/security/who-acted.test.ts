/**
 * Who acted, and how often the app answers: through the real app on the GitHub stand-in (which keeps what the app
 * wrote) and the Cloud Run emulator. Edited comments run with the editor's (the sender's) role; the app's answers
 * to `/triage` comments are capped per person and issue.
 */
import { readMarker } from "../../src/domain/issue-state/markers.js";
import { MAX_COMMAND_COMMENTS_PER_HOUR } from "../../src/use-cases/slash-commands/slash-commands.js";
import { scenarioIssue } from "../../dev/scenario.js";
import {
  addScenarioRepo,
  editedCommentEvent,
  FULL,
  postCommand,
  startStandInApp,
  type StandInApp,
} from "../support/standin-app.js";

let app: StandInApp;

beforeAll(async () => {
  app = await startStandInApp();
  addScenarioRepo(app);
});
afterAll(() => app.close());
afterEach(() => expect(app.standIn.violations).toEqual([]));

function newIssue() {
  app.standIn.requests.length = 0;
  return app.standIn.addIssue(FULL, {
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "writer", type: "User" },
  });
}
const writes = () => app.standIn.requests.filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"));
const appComments = (number: number) => app.standIn.issue(FULL, number)!.comments.filter((c) => c.user.type === "Bot");

describe("an edited comment runs with the editor's role", () => {
  it("a triager adds `/triage close` to a writer's comment: nothing runs, nothing is written", async () => {
    const issue = newIssue();
    const comment = app.standIn.addComment(FULL, issue.number, {
      body: "Looks fixed to me.",
      user: { login: "writer", type: "User" },
    });
    const edited = "Looks fixed to me.\n/triage close";
    await app.probot().receive(
      editedCommentEvent(issue, {
        id: comment.id,
        from: comment.body,
        body: edited,
        author: "writer",
        editor: "maintainer",
      }),
    );
    expect(app.standIn.issue(FULL, issue.number)!.state).toBe("open");
    expect(writes()).toEqual([]);
    expect(
      app.logs.some((l) => l.includes("commands ignored: the comment was edited by someone other than its author")),
    ).toBe(true);
  });

  it("the author's own edit runs what it added, with the author's role", async () => {
    const issue = newIssue();
    const comment = app.standIn.addComment(FULL, issue.number, {
      body: "Looks fixed to me.",
      user: { login: "writer", type: "User" },
    });
    await app.probot().receive(
      editedCommentEvent(issue, {
        id: comment.id,
        from: comment.body,
        body: "Looks fixed.\n/triage close",
        author: "writer",
        editor: "writer",
      }),
    );
    expect(app.standIn.issue(FULL, issue.number)!.state).toBe("closed");
  });

  it("an edit sent by a bot runs nothing, without a request", async () => {
    const issue = newIssue();
    const comment = app.standIn.addComment(FULL, issue.number, { body: "ok", user: { login: "writer", type: "User" } });
    await app.probot().receive(
      editedCommentEvent(issue, {
        id: comment.id,
        from: "ok",
        body: "ok\n/triage close",
        author: "writer",
        editor: "writer",
        editorType: "Bot",
      }),
    );
    expect(app.standIn.requests.filter((r) => !r.path.includes("/access_tokens"))).toEqual([]);
  });
});

describe("answers to /triage comments are bounded", () => {
  it(`a stranger's \`/triage help\`: ${MAX_COMMAND_COMMENTS_PER_HOUR} replies an hour, a notice, no more`, async () => {
    const issue = newIssue();
    const probot = app.probot();
    for (let i = 0; i < MAX_COMMAND_COMMENTS_PER_HOUR + 3; i++)
      await probot.receive(postCommand(app, issue, "/triage help", "stranger"));
    const answers = appComments(issue.number);
    expect(answers).toHaveLength(MAX_COMMAND_COMMENTS_PER_HOUR + 1);
    expect(answers.slice(0, -1).every((c) => c.body.startsWith("### config-triage commands"))).toBe(true);
    expect(answers.at(-1)!.body).toContain(
      `⏳ **config-triage did not run this comment's commands**: @&#8203;stranger has already written ` +
        `${MAX_COMMAND_COMMENTS_PER_HOUR} comments with \`/triage\` commands on #${issue.number} this hour`,
    );
    expect(answers.at(-1)!.body).toMatch(
      new RegExp(
        String.raw`Until \d\d:\d\d UTC \(in 60 min\) further commands from @&#8203;stranger on this issue ` +
          String.raw`are ignored, without a reply\.`,
      ),
    );
    // The last two comments cost nothing but the one notice: no reactions, no replies.
    const comments = app.standIn.issue(FULL, issue.number)!.comments.filter((c) => c.user.login === "stranger");
    const last = comments.at(-1)!;
    expect(writes().filter((w) => w.path.includes(`/comments/${last.id}/`))).toEqual([]);
    // Someone else on the same issue is counted on their own.
    await probot.receive(postCommand(app, issue, "/triage help", "maintainer"));
    expect(appComments(issue.number).at(-1)!.body.startsWith("### config-triage commands")).toBe(true);
  });

  it("a stranger's refused command is answered once per issue; later refusals get only the 😕", async () => {
    const issue = newIssue();
    const probot = app.probot();
    await probot.receive(postCommand(app, issue, "/triage close", "stranger"));
    await probot.receive(postCommand(app, issue, "/triage recheck", "stranger"));
    const answers = appComments(issue.number);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toContain(
      "😕 `/triage close` needs the `write` role or higher; `stranger` has `read` on this repository",
    );
    expect(readMarker("notice", answers[0].body)).toEqual({ notice: "command-role", user: "stranger" });
    const second = app.standIn.issue(FULL, issue.number)!.comments.filter((c) => c.user.login === "stranger")[1];
    expect(
      writes()
        .filter((w) => w.path.includes(`/comments/${second.id}/reactions`))
        .map((w) => (w.body as { content?: string }).content),
    ).toEqual(["eyes", "confused"]);
    // A pasted marker does not silence the app for another stranger.
    app.standIn.addComment(FULL, issue.number, {
      body: '<!-- config-triage:notice {"notice":"command-role","user":"other"} -->',
      user: { login: "other", type: "User" },
    });
    await probot.receive(postCommand(app, issue, "/triage close", "other"));
    expect(appComments(issue.number)).toHaveLength(2);
  });

  it("one comment of 30 command lines runs the first once and answers in two comments", async () => {
    const issue = newIssue();
    await app
      .probot()
      .receive(postCommand(app, issue, Array.from({ length: 30 }, () => "/triage help").join("\n"), "stranger"));
    const answers = appComments(issue.number);
    expect(answers).toHaveLength(2);
    expect(answers[0].body.startsWith("### config-triage commands")).toBe(true);
    expect(answers[1].body).toContain("😕 not run: it is already in this comment, and a command runs once per comment");
    expect(answers[1].body).toContain("😕 not run: at most 10 commands of one comment run");
    expect(answers[1].body).toContain("😕 18 more commands were not run.");
  });
});
