import nock from "nock";
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
  mockNoEarlierNotice,
} from "./harness.js";

useCommandTestEnvironment();

describe("/triage close and /triage reopen", () => {
  it("close: closes the parent as completed with a summary comment", async () => {
    const reply: { body?: string } = {};
    let patch: unknown;
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.write);
    scope.patch(`${REPO}/issues/930`).reply(200, (_u, b) => ((patch = b), { number: 930 }));
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage close" }));
    expect(patch).toEqual({ state: "closed", state_reason: "completed" });
    expect(reply.body).toContain("Closed as completed by `maintainer` with `/triage close`");
  });

  it("reopen: reopens a closed parent", async () => {
    let patch: unknown;
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "rocket");
    mockRole(scope, "maintainer", ROLE.write);
    scope.patch(`${REPO}/issues/930`).reply(200, (_u, b) => ((patch = b), { number: 930 }));
    await app().receive(commentEvent({ body: "/triage reopen", issue: { state: "closed" } }));
    expect(patch).toEqual({ state: "open" });
  });

  it.each([
    ["close", ROLE.triage, "`/triage close` needs the `write` role or higher; `maintainer` has `triage`"],
    ["reopen", ROLE.read, "`/triage reopen` needs the `write` role or higher; `maintainer` has `read`"],
  ])("%s is refused below write", async (verb, role, reason) => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", role);
    if (role === ROLE.read) mockNoEarlierNotice(scope);
    mockReply(scope, reply);
    await app().receive(
      commentEvent({ body: `/triage ${verb}`, issue: { state: verb === "reopen" ? "closed" : "open" } }),
    );
    expect(reply.body).toContain(reason);
  });

  it("roles: a configured minimum role replaces the default (close needs maintain here)", async () => {
    const reply: { body?: string } = {};
    const scope = nock(API);
    mockConfig(scope, `${scenarioConfigYaml}roles:\n  close: maintain\n`);
    mockReactions(scope, "confused");
    mockRole(scope, "maintainer", ROLE.write);
    mockReply(scope, reply);
    await app().receive(commentEvent({ body: "/triage close" }));
    expect(reply.body).toContain("`/triage close` needs the `maintain` role or higher; `maintainer` has `write`");
  });
});
