/**
 * Confused deputy: one Google identity serves every installation, so the operator says which GCP projects each
 * repository may check (`CONFIG_TRIAGE_ALLOWED_PROJECTS`), and a config naming another project is refused before
 * anything is read from Google. The rules as table tests; the refusal through the app on the GitHub stand-in.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  mayCheckProject,
  parseAllowedProjects,
  readAllowedProjects,
} from "../../src/domain/config/allowed-projects.js";
import { scenarioConfigYaml, scenarioIssue } from "../../dev/scenario.js";
import { addScenarioRepo, FULL, labeledEvent, startStandInApp, type StandInApp } from "../support/standin-app.js";

describe("the operator's rules", () => {
  const policy = parseAllowedProjects(
    "acme=acme-staging,acme-production  acme/billing=billing-prod ; # a comment\n*=shared-sandbox\nwide=*",
  );
  it.each([
    ["acme", "shop", "acme-staging", true],
    ["ACME", "Shop", "acme-production", true],
    ["acme", "shop", "billing-prod", false],
    ["acme", "billing", "billing-prod", true],
    ["other", "repo", "acme-staging", false],
    ["other", "repo", "shared-sandbox", true],
    ["wide", "anything", "any-project-at-all", true],
  ])("%s/%s may check %s: %s", (owner, repo, project, expected) => {
    expect(mayCheckProject(policy, owner, repo, project)).toBe(expected);
  });

  it("no setting allows nothing (the default of a new deployment)", () => {
    expect(mayCheckProject(readAllowedProjects({}), "acme", "shop", "acme-staging")).toBe(false);
  });

  it("reads the rules from the file CONFIG_TRIAGE_ALLOWED_PROJECTS_FILE names", () => {
    const file = join(mkdtempSync(join(tmpdir(), "allowed-")), "projects.txt");
    writeFileSync(file, "# who may check what\nacme=acme-staging\n");
    expect(
      mayCheckProject(readAllowedProjects({ CONFIG_TRIAGE_ALLOWED_PROJECTS_FILE: file }), "acme", "x", "acme-staging"),
    ).toBe(true);
  });

  it.each(["acme", "acme=", "acme=Bad_Project", "a/b/c=acme-staging"])(
    "a malformed rule (%s) stops the server with the rule and the syntax",
    (text) => {
      expect(() => readAllowedProjects({ CONFIG_TRIAGE_ALLOWED_PROJECTS: text })).toThrow(
        /CONFIG_TRIAGE_ALLOWED_PROJECTS: ".*" is not a rule: write OWNER=PROJECT/,
      );
    },
  );
});

describe("a config that names a project the operator did not allow", () => {
  let app: StandInApp;
  beforeAll(async () => {
    app = await startStandInApp();
    addScenarioRepo(app);
  });
  afterAll(() => app.close());
  afterEach(() => expect(app.standIn.violations).toEqual([]));

  const newIssue = () =>
    app.standIn.addIssue(FULL, {
      title: scenarioIssue.title,
      body: scenarioIssue.body,
      user: { login: "reporter", type: "User" },
      labels: [],
    });
  const botComments = (n: number) => app.standIn.issue(FULL, n)!.comments.filter((c) => c.user.type === "Bot");

  it("is refused before any Cloud Run read, with a comment naming the project and the deployment setting", async () => {
    const issue = newIssue();
    const calls = app.emulator.calls.length;
    await app
      .probot({ allowedProjects: parseAllowedProjects("netra-systems=netra-staging") })
      .receive(labeledEvent(issue));
    expect(app.emulator.calls.length).toBe(calls);
    const [comment] = botComments(issue.number);
    expect(comment.body).toContain(
      "this app's operator has not allowed `netra-systems/netra-apex` to check GCP project `netra-production`, so " +
        "nothing was read from it",
    );
    expect(comment.body).toContain("(`CONFIG_TRIAGE_ALLOWED_PROJECTS`), not of this repository");
    expect(comment.body).toContain("`netra-systems=netra-production`");
    expect(comment.body).not.toContain("netra-staging`, so nothing"); // the allowed one is not refused
    expect(app.standIn.issues(FULL).filter((i) => i.number > issue.number)).toEqual([]); // no follow-ups
  });

  it("no setting at all refuses every live environment", async () => {
    const issue = newIssue();
    const calls = app.emulator.calls.length;
    await app.probot({ allowedProjects: readAllowedProjects({}) }).receive(labeledEvent(issue));
    expect(app.emulator.calls.length).toBe(calls);
    const body = botComments(issue.number)[0].body;
    expect(body).toContain("to check GCP project `netra-staging`");
    expect(body).toContain("to check GCP project `netra-production`");
  });

  it("a project that is allowed is checked as before; a snapshot environment needs no permission", async () => {
    const snapshotConfig = scenarioConfigYaml.replace(
      "    project: netra-production\n",
      "    project: another-teams-prod\n    snapshot: ops/prod.yaml\n",
    );
    app.standIn.setFile(FULL, ".github/config-triage.yml", snapshotConfig);
    try {
      const issue = newIssue();
      await app
        .probot({ allowedProjects: parseAllowedProjects("netra-systems/netra-apex=netra-staging") })
        .receive(labeledEvent(issue));
      const body = botComments(issue.number)[0].body;
      expect(body).not.toContain("has not allowed");
      expect(body).toContain("JWT_SECRET_STAGING");
      expect(app.emulator.calls.some((c) => String(c.request.parent ?? c.request.name).includes("netra-staging"))).toBe(
        true,
      );
      expect(
        app.emulator.calls.some((c) => String(c.request.parent ?? c.request.name).includes("another-teams-prod")),
      ).toBe(false);
    } finally {
      app.standIn.setFile(FULL, ".github/config-triage.yml", scenarioConfigYaml);
    }
  });
});
