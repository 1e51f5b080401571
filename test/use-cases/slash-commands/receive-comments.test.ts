/**
 * From the webhook to the command runner, through `probot.receive` with nock: which comments run commands (not a
 * bot's, not the app's, not quoted or fenced ones; on an edit, only the commands it added) and that two comments on
 * one issue run one at a time. What each command does is in the table of `commands.test.ts`.
 */
import nock from "nock";
import { createMemoryQueue } from "../../../src/adapters/queue/memory-queue.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";
import {
  API,
  app,
  commentEvent,
  mockConfig,
  mockReactions,
  mockReply,
  REPO,
  useCommandTestEnvironment,
  WRITE_ROLE,
} from "./harness.js";

useCommandTestEnvironment();

describe("comments that run commands", () => {
  it("ignores commands from bots, from the app itself, and inside code blocks, quotes and HTML comments", async () => {
    // No mocks: any request fails the test.
    await app().receive(commentEvent({ body: "/triage help", login: "renovate[bot]", userType: "Bot" }));
    await app().receive(commentEvent({ body: "/triage help", comment: { performed_via_github_app: { id: 4242 } } }));
    await app().receive(
      commentEvent({ body: "```\n/triage apply\n```\n> /triage apply\n<!-- /triage apply -->\n\n    /triage apply" }),
    );
  });

  it("on an edited comment runs only the commands the edit added", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockReply(scope, reply);
    // recheck was there before the edit: it must not run again (it would ask for the role and read the comments).
    await app().receive(
      commentEvent({ action: "edited", from: "/triage recheck", body: "/triage recheck\n/triage help" }),
    );
    expect(reply.body).toContain("config-triage commands");
  });

  it("does nothing on an edit that adds no command, or that does not say what the body was", async () => {
    await app().receive(
      commentEvent({ action: "edited", from: "/triage recheck", body: "/triage recheck\n\n(typo fixed)" }),
    );
    const noChanges = commentEvent({ action: "edited", body: "/triage help" });
    delete noChanges.payload.changes;
    await app().receive(noChanges);
  });

  it("runs the commands of two comments on one issue one at a time, in arrival order (the event queue)", async () => {
    const events: string[] = [];
    const scope = nock(API);
    scope
      .get(`${REPO}/contents/.github%2Fconfig-triage.yml`)
      .times(2)
      .reply(200, scenarioConfigYaml)
      .post(`${REPO}/issues/comments/4401/reactions`)
      .times(2)
      .reply(201, (_u, b: any) => (events.push(`first ${b.content}`), {}))
      .post(`${REPO}/issues/comments/4402/reactions`)
      .times(2)
      .reply(201, (_u, b: any) => (events.push(`second ${b.content}`), {}))
      .get(`${REPO}/collaborators/maintainer/permission`)
      .delay(150)
      .reply(200, (() => (events.push("first role"), WRITE_ROLE)) as never)
      .patch(`${REPO}/issues/930`)
      .reply(200, (_u, b: any) => (events.push(`first ${b.state}`), {}))
      .post(`${REPO}/issues/930/comments`)
      .times(2)
      .reply(201, { id: 1 });
    const probot = app();
    // As the server runs deliveries: through the event queue, the one owner of per-issue ordering.
    let runs = 0;
    let finished!: () => void;
    const both = new Promise<void>((resolve) => (finished = resolve));
    const quiet = { info() {}, warn() {}, error() {} };
    const settings = { concurrency: 8, attempts: 1, backoffMs: 0, maxBackoffMs: 0 };
    const runner = {
      run: (event: Parameters<typeof probot.receive>[0]) =>
        probot.receive(event).finally(() => ++runs === 2 && finished()),
      giveUp: async (_event: unknown, error: unknown) => void events.push(`failed: ${String(error)}`),
    };
    const queue = createMemoryQueue(settings, runner as never, quiet);
    await queue.enqueue(commentEvent({ body: "/triage close" }));
    await queue.enqueue(commentEvent({ body: "/triage help", comment: { id: 4402 } }));
    await both;
    expect(events).toEqual([
      "first eyes",
      "first role",
      "first closed",
      "first rocket",
      "second eyes",
      "second rocket",
    ]);
  });
});
