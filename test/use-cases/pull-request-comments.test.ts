/**
 * `/triage` in a pull request's comments, through `probot.receive` against the GitHub stand-in over the GraphQL
 * transport (the default): GraphQL's `repository.issue(number:)` is NOT_FOUND for a pull request's number, as on
 * GitHub.
 * By default the comment is ignored: the config's one read (to see `pull_requests`), nothing else, no reaction, no
 * reply. With `pull_requests: true` the commands run there.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scenarioConfigYaml } from "../../dev/scenario.js";
import { addScenarioRepo, FULL, postCommand, startStandInApp, type StandInApp } from "../support/standin-app.js";

let app: StandInApp;

beforeAll(async () => {
  app = await startStandInApp();
});

afterAll(async () => {
  await app.close();
});

/** The requests of one delivery, but the installation token. */
async function requestsOf(run: () => Promise<unknown>) {
  const before = app.standIn.requests.length;
  await run();
  return app.standIn.requests.slice(before).filter((r) => !r.path.endsWith("/access_tokens"));
}

describe("/triage on a pull request, over GraphQL", () => {
  it("is ignored by default: only the config is read, nothing is written", async () => {
    addScenarioRepo(app);
    const pr = app.standIn.addIssue(FULL, {
      title: "Rotate the JWT secret",
      pull_request: true,
      user: { login: "maintainer", type: "User" },
    });
    const requests = await requestsOf(() =>
      app.probot({ transport: "graphql" }).receive(postCommand(app, pr, "/triage help")),
    );
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${FULL}/contents/.github/config-triage.yml`,
    ]);
    expect(app.standIn.issue(FULL, pr.number)!.comments).toHaveLength(1);
    expect(app.standIn.issue(FULL, pr.number)!.comments[0].reactions).toEqual([]);
    expect(app.standIn.violations).toEqual([]);
  });

  it("runs the commands with `pull_requests: true`: a reply, the reactions, no request GitHub refuses", async () => {
    app.standIn.setFile(FULL, ".github/config-triage.yml", `${scenarioConfigYaml}pull_requests: true\n`);
    const pr = app.standIn.issues(FULL).find((i) => i.pull_request)!;
    await app.probot({ transport: "graphql" }).receive(postCommand(app, pr, "/triage help"));
    const comments = app.standIn.issue(FULL, pr.number)!.comments;
    expect(comments.at(-2)!.reactions.map((r) => r.content)).toEqual(["eyes", "rocket"]);
    expect(comments.at(-1)!.user.login).toBe(app.standIn.botLogin);
    expect(comments.at(-1)!.body).toContain("| `/triage help` |");
    expect(app.standIn.violations).toEqual([]);
    expect(app.logs.filter((l) => /could not finish|"level":50/.test(l))).toEqual([]);
  });
});
