import nock from "nock";
import { createMemoryQueue } from "../../../src/adapters/queue/memory-queue.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";
import {
  API,
  REPO,
  app,
  commentEvent,
  mockConfig,
  mockReactions,
  mockReply,
  mockRole,
  ROLE,
  useCommandTestEnvironment,
} from "./harness.js";

useCommandTestEnvironment();

describe("/triage help and the command layer", () => {
  it("answers anyone with the table of commands, without asking for their role", async () => {
    const reply: { body?: string } = {};
    const seen: string[] = [];
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket", seen);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "Hi!\n/triage help", login: "passer-by" }));
    expect(seen).toEqual(["eyes", "rocket"]);
    expect(reply.body).toContain("| `/triage apply [plan-id]` |");
    expect(reply.body).toContain(
      "| `/triage help` | Lists the commands, what each does and who may use it. | anyone |",
    );
    expect(reply.body).toContain("`write` role or higher");
  });

  it("shows the roles the config sets", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope, `${scenarioConfigYaml}roles:\n  apply: maintain\n`);
    mockReactions(scope, "rocket");
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/TRIAGE   Help" }));
    expect(reply.body).toMatch(/\| `\/triage apply \[plan-id\]` \| .* \| `maintain` role or higher \|/);
  });

  it("answers an unknown command with 😕, quoting it, with a did-you-mean", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage aply" }));
    expect(reply.body).toBe("> /triage aply\n\n😕 unknown command `aply`: did you mean `/triage apply`?");
  });

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

  it("ignores pull requests unless the config turns them on", async () => {
    const pr = { pull_request: { url: `${API}${REPO}/pulls/930` } };
    let scope = nock(API);
    mockConfig(scope);
    await app().receive(commentEvent({ body: "/triage help", issue: pr }));
    expect(nock.pendingMocks()).toEqual([]);

    scope = nock(API);
    mockConfig(scope, `${scenarioConfigYaml}pull_requests: true\n`);
    mockReactions(scope, "rocket");
    mockReply(scope, {});
    await app().receive(commentEvent({ body: "/triage help", issue: pr }));
  });

  it("refuses every command but help when the config is invalid, naming the file and line", async () => {
    const broken = scenarioConfigYaml.replace("on_pass", "on_pas").concat("mode: reveiw\n");
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope, broken);
    scope.get(`${REPO}/contents/.github%2Fconfig-triage.yml`).reply(200, broken);
    mockReactions(scope, "confused");
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage recheck" }));
    expect(reply.body).toContain("> /triage recheck\n\n😕 config error: `.github/config-triage.yml`, line");
    expect(reply.body).toContain("`mode` must be one of `auto`, `review`");
  });

  it("runs several commands of one comment in order, and reports only the failed one", async () => {
    const order: string[] = [];
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    scope
      .patch(`${REPO}/issues/930`, (b) => order.push(b.state) > 0)
      .times(2)
      .reply(200, { number: 930 });
    scope.post(`${REPO}/issues/930/comments`).reply(201, { id: 778 });
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage close\n/triage reopen\n/triage nope" }));
    expect(order).toEqual(["closed", "open"]);
    expect(reply.body).toContain("> /triage nope");
    expect(reply.body).not.toContain("reopen");
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
      .reply(200, (() => (events.push("first role"), ROLE.write)) as never)
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

  it("answers an error of GitHub while running a command with 😕 and an internal-error note, and logs it", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    scope.patch(`${REPO}/issues/930`).reply(502, { message: "Bad Gateway" });
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage close" }));
    expect(reply.body).toBe("> /triage close\n\n😕 an internal error occurred; it has been logged");
  });

  it("keeps going when GitHub refuses a reaction", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    scope
      .post(`${REPO}/issues/comments/4401/reactions`)
      .times(2)
      .reply(403, { message: "Resource not accessible by integration" });
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage help" }));
    expect(reply.body).toContain("config-triage commands");
  });
});
