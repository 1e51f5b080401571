import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { startGitHubStandIn, type GitHubStandIn } from "../../dev/github-standin.js";
import { decodeNodeId } from "../../dev/github-ids.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const CONFIG = "checks:\n  cloudRun: true\nlabels:\n  - config-failure\n";

let standIn: GitHubStandIn;
let gh: Octokit;

function octokitFor(baseUrl: string, auth?: string): Octokit {
  return new Octokit({ baseUrl, auth, request: { fetch }, log: quiet });
}

/** Octokit's `request` with an untyped route, for requests that are wrong on purpose. */
function rawRequest(route: string, params: Record<string, unknown> = {}) {
  return gh.request(route, params);
}

/** Await a promise expected to reject with an Octokit RequestError; return it. */
async function failure(
  p: Promise<unknown>,
): Promise<{ status: number; response: { data: any; headers: Record<string, string> } }> {
  try {
    await p;
  } catch (err) {
    return err as { status: number; response: { data: any; headers: Record<string, string> } };
  }
  throw new Error("expected the request to fail");
}

beforeAll(async () => {
  standIn = await startGitHubStandIn();
  gh = octokitFor(standIn.url);
  standIn.addRepo("acme/api", {
    files: { ".github/config-triage.yml": CONFIG, "docs/a.md": "# A\n", "docs/deep/b.md": "B" },
    collaborators: { rita: "read", tom: "triage", wendy: "write", max: "maintain", ada: "admin" },
  });
  standIn.addRepo("acme/private-stuff", { private: true });
  standIn.addRepo("other/app", { installationId: 7 });
});

afterAll(async () => {
  await standIn?.close();
});

describe("GitHub stand-in", () => {
  it("answers on both the plain and the /api/v3 (GHE) base URL", async () => {
    expect(standIn.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(standIn.url).toBe(`http://${standIn.host}`);
    const ghe = octokitFor(`${standIn.url}/api/v3`);
    const { data } = await ghe.rest.repos.get({ owner: "acme", repo: "api" });
    expect(data.full_name).toBe("acme/api");
    expect(data.default_branch).toBe("main");
    const last = standIn.requests[standIn.requests.length - 1];
    expect(last).toMatchObject({ method: "GET", path: "/repos/acme/api", status: 200, operationId: "repos/get" });
  });

  it("creates an issue authored by the app's bot, with GitHub's fields", async () => {
    const { status, data } = await gh.rest.issues.create({
      owner: "acme",
      repo: "api",
      title: "Deploy failed: missing DATABASE_URL",
      body: "see logs",
      labels: ["config-failure"],
      assignees: ["wendy"],
    });
    expect(status).toBe(201);
    expect(data.number).toBe(1);
    expect(data.id).not.toBe(data.number);
    expect(data.node_id).toEqual(expect.any(String));
    expect(data.html_url).toBe(`${standIn.url}/acme/api/issues/1`);
    expect(data.user).toMatchObject({ login: "config-triage[bot]", type: "Bot" });
    expect(data.performed_via_github_app).toMatchObject({ id: 1, slug: "config-triage" });
    expect(data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["config-failure"]);
    expect(data.assignees?.map((a) => a.login)).toEqual(["wendy"]);
    expect(data.state).toBe("open");

    const stored = standIn.issue("acme/api", 1);
    expect(stored).toMatchObject({
      title: "Deploy failed: missing DATABASE_URL",
      body: "see logs",
      labels: ["config-failure"],
    });

    // numbers are shared with issues seeded directly (and with pull requests)
    standIn.addIssue("acme/api", { title: "a PR", pull_request: true, user: { login: "wendy", type: "User" } });
    const next = await gh.rest.issues.create({ owner: "acme", repo: "api", title: "third" });
    expect(next.data.number).toBe(3);
  });

  it("updates an issue: labels, state and state_reason", async () => {
    const seeded = standIn.addIssue("acme/api", { title: "flaky", labels: ["bug"] });
    const { data } = await gh.rest.issues.update({
      owner: "acme",
      repo: "api",
      issue_number: seeded.number,
      labels: ["bug", "triaged"],
      state: "closed",
      state_reason: "not_planned",
    });
    expect(data.state).toBe("closed");
    expect(data.state_reason).toBe("not_planned");
    expect(data.closed_at).toEqual(expect.any(String));
    expect(standIn.issue("acme/api", seeded.number)?.labels).toEqual(["bug", "triaged"]);

    const reopened = await gh.rest.issues.update({
      owner: "acme",
      repo: "api",
      issue_number: seeded.number,
      state: "open",
    });
    expect(reopened.data.state_reason).toBe("reopened");
    expect(reopened.data.closed_at).toBeNull();

    const added = await gh.rest.issues.addLabels({
      owner: "acme",
      repo: "api",
      issue_number: seeded.number,
      labels: ["p1"],
    });
    expect(added.data.map((l) => l.name)).toEqual(["bug", "triaged", "p1"]);
    const removed = await gh.rest.issues.removeLabel({
      owner: "acme",
      repo: "api",
      issue_number: seeded.number,
      name: "bug",
    });
    expect(removed.data.map((l) => l.name)).toEqual(["triaged", "p1"]);
    const missing = await failure(
      gh.rest.issues.removeLabel({ owner: "acme", repo: "api", issue_number: seeded.number, name: "bug" }),
    );
    expect(missing.status).toBe(404);
  });

  it("lists issues with filters and Link pagination", async () => {
    standIn.addRepo("acme/busy");
    for (let i = 1; i <= 7; i++) {
      standIn.addIssue("acme/busy", {
        title: `issue ${i}`,
        labels: i % 2 ? ["odd"] : ["even"],
        state: i === 7 ? "closed" : "open",
        user: { login: i <= 2 ? "config-triage[bot]" : "octocat", type: i <= 2 ? "Bot" : "User" },
      });
    }
    const page1 = await gh.rest.issues.listForRepo({ owner: "acme", repo: "busy", per_page: 2 });
    expect(page1.data.map((i) => i.number)).toEqual([6, 5]); // newest first, closed #7 left out
    expect(page1.headers.link).toContain('rel="next"');
    expect(page1.headers.link).toContain('rel="last"');
    const all = await gh.paginate(gh.rest.issues.listForRepo, {
      owner: "acme",
      repo: "busy",
      state: "all",
      per_page: 3,
    });
    expect(all.map((i) => i.number)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    const odd = await gh.rest.issues.listForRepo({ owner: "acme", repo: "busy", labels: "odd", state: "all" });
    expect(odd.data.map((i) => i.number)).toEqual([7, 5, 3, 1]);
    const mine = await gh.rest.issues.listForRepo({ owner: "acme", repo: "busy", creator: "config-triage[bot]" });
    expect(mine.data.map((i) => i.number)).toEqual([2, 1]);
  });

  it("creates, reads and updates comments", async () => {
    const { status, data } = await gh.rest.issues.createComment({
      owner: "acme",
      repo: "api",
      issue_number: 1,
      body: "Diagnosis: ...",
    });
    expect(status).toBe(201);
    expect(data.user).toMatchObject({ login: "config-triage[bot]", type: "Bot" });
    expect(data.performed_via_github_app).toMatchObject({ id: 1, slug: "config-triage" });
    expect(data.html_url).toBe(`${standIn.url}/acme/api/issues/1#issuecomment-${data.id}`);

    const updated = await gh.rest.issues.updateComment({
      owner: "acme",
      repo: "api",
      comment_id: data.id,
      body: "Diagnosis v2",
    });
    expect(updated.data.body).toBe("Diagnosis v2");
    const read = await gh.rest.issues.getComment({ owner: "acme", repo: "api", comment_id: data.id });
    expect(read.data.body).toBe("Diagnosis v2");
    expect(standIn.issue("acme/api", 1)?.comments.map((c) => c.body)).toEqual(["Diagnosis v2"]);

    const tooLong = await failure(
      gh.rest.issues.createComment({ owner: "acme", repo: "api", issue_number: 1, body: "x".repeat(65537) }),
    );
    expect(tooLong.status).toBe(422);
    expect(standIn.violations.pop()).toMatch(/^POST \/repos\/acme\/api\/issues\/1\/comments: body is 65537 characters/);
  });

  it("acts as a user when the token says user:<login>", async () => {
    const asUser = octokitFor(standIn.url, "user:wendy");
    const { data } = await asUser.rest.issues.createComment({
      owner: "acme",
      repo: "api",
      issue_number: 1,
      body: "me too",
    });
    expect(data.user).toMatchObject({ login: "wendy", type: "User" });
    expect(data.performed_via_github_app).toBeNull();
    expect(data.author_association).toBe("COLLABORATOR");
  });

  it("paginates comments with Link headers (per_page up to 100)", async () => {
    const issue = standIn.addIssue("acme/api", { title: "chatty" });
    for (let i = 1; i <= 105; i++) standIn.addComment("acme/api", issue.number, { body: `c${i}` });
    const first = await gh.rest.issues.listComments({
      owner: "acme",
      repo: "api",
      issue_number: issue.number,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toMatch(/<[^>]*page=2[^>]*>; rel="next"/);
    const second = await gh.rest.issues.listComments({
      owner: "acme",
      repo: "api",
      issue_number: issue.number,
      per_page: 100,
      page: 2,
    });
    expect(second.data.map((c) => c.body)).toEqual(["c101", "c102", "c103", "c104", "c105"]);
    expect(second.headers.link).toContain('rel="prev"');
    expect(second.headers.link).not.toContain('rel="next"');
    const all = await gh.paginate(gh.rest.issues.listComments, {
      owner: "acme",
      repo: "api",
      issue_number: issue.number,
      per_page: 40,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 105 }, (_, i) => `c${i + 1}`));
    // GitHub caps per_page at 100
    const capped = await gh.rest.issues.listComments({
      owner: "acme",
      repo: "api",
      issue_number: issue.number,
      per_page: 500,
    });
    expect(capped.data).toHaveLength(100);
  });

  it("links sub-issues by the child's id (not its number)", async () => {
    const parent = standIn.addIssue("acme/api", { title: "epic" });
    const child = standIn.addIssue("acme/api", { title: "child" });
    const other = standIn.addIssue("acme/api", { title: "other parent" });

    const byNumber = await failure(
      gh.rest.issues.addSubIssue({
        owner: "acme",
        repo: "api",
        issue_number: parent.number,
        sub_issue_id: child.number,
      }),
    );
    expect(byNumber.status).toBe(404);

    const { status, data } = await gh.rest.issues.addSubIssue({
      owner: "acme",
      repo: "api",
      issue_number: parent.number,
      sub_issue_id: child.id,
    });
    expect(status).toBe(201);
    expect(data.number).toBe(parent.number);
    expect(data.sub_issues_summary).toEqual({ total: 1, completed: 0, percent_completed: 0 });
    expect(standIn.issue("acme/api", parent.number)?.sub_issues).toEqual([child.id]);
    expect(standIn.issue("acme/api", child.number)?.parent).toBe(parent.id);

    const list = await gh.rest.issues.listSubIssues({ owner: "acme", repo: "api", issue_number: parent.number });
    expect(list.data.map((i) => i.number)).toEqual([child.number]);
    const up = await gh.rest.issues.getParent({ owner: "acme", repo: "api", issue_number: child.number });
    expect(up.data.number).toBe(parent.number);

    const twice = await failure(
      gh.rest.issues.addSubIssue({ owner: "acme", repo: "api", issue_number: other.number, sub_issue_id: child.id }),
    );
    expect(twice.status).toBe(422);
    const moved = await gh.rest.issues.addSubIssue({
      owner: "acme",
      repo: "api",
      issue_number: other.number,
      sub_issue_id: child.id,
      replace_parent: true,
    });
    expect(moved.status).toBe(201);
    expect(standIn.issue("acme/api", parent.number)?.sub_issues).toEqual([]);

    // at most 100 sub-issues per parent
    const big = standIn.addIssue("acme/api", { title: "big epic" });
    for (let i = 0; i < 100; i++) standIn.addIssue("acme/api", { title: `k${i}`, parent: big.id });
    expect(big.sub_issues).toHaveLength(100);
    const extra = standIn.addIssue("acme/api", { title: "one too many" });
    const full = await failure(
      gh.rest.issues.addSubIssue({ owner: "acme", repo: "api", issue_number: big.number, sub_issue_id: extra.id }),
    );
    expect(full.status).toBe(422);
    // these 422s are GitHub's business rules, not description violations
    expect(standIn.violations).toEqual([]);
  });

  it("records dependencies by the blocking issue's id, lists them, refuses a duplicate as GitHub would", async () => {
    const blocking = standIn.addIssue("acme/api", { title: "consolidate" });
    const blocked = standIn.addIssue("acme/api", { title: "document" });
    const byNumber = await failure(
      gh.rest.issues.addBlockedByDependency({
        owner: "acme",
        repo: "api",
        issue_number: blocked.number,
        issue_id: blocking.number,
      }),
    );
    expect(byNumber.status).toBe(404);
    expect(byNumber.response.data.hint).toBe("issue_id is the issue id, not its number");
    const { status, data } = await gh.rest.issues.addBlockedByDependency({
      owner: "acme",
      repo: "api",
      issue_number: blocked.number,
      issue_id: blocking.id,
    });
    expect(status).toBe(201);
    expect(data.issue_dependencies_summary).toEqual({
      blocked_by: 1,
      blocking: 0,
      total_blocked_by: 1,
      total_blocking: 0,
    });
    const list = await gh.rest.issues.listDependenciesBlockedBy({
      owner: "acme",
      repo: "api",
      issue_number: blocked.number,
    });
    expect(list.data.map((i) => i.number)).toEqual([blocking.number]);
    const twice = await failure(
      gh.rest.issues.addBlockedByDependency({
        owner: "acme",
        repo: "api",
        issue_number: blocked.number,
        issue_id: blocking.id,
      }),
    );
    expect(twice.status).toBe(422);
    // Sending a link twice is what the app must never do: the stand-in flags it.
    expect(standIn.violations.splice(0)).toEqual([
      `POST dependencies/blocked_by: #${blocking.number} already blocks #${blocked.number} (sent twice)`,
    ]);
    expect(standIn.responseViolations).toEqual([]);
  });

  it("lists open milestones by due date, sets one and a known type on a new issue, drops an unknown type", async () => {
    standIn.addRepo("acme/typed", { issueTypes: ["Task", "Bug"] });
    standIn.addMilestone("acme/typed", { title: "Later", due_on: "2027-02-01T00:00:00Z" });
    standIn.addMilestone("acme/typed", { title: "Sooner", due_on: "2027-01-01T00:00:00Z" });
    standIn.addMilestone("acme/typed", { title: "Done", state: "closed" });
    const { data: milestones } = await gh.rest.issues.listMilestones({ owner: "acme", repo: "typed", state: "open" });
    expect(milestones.map((m) => m.title)).toEqual(["Sooner", "Later"]);
    const { data: types } = await gh.request("GET /repos/{owner}/{repo}/issue-types", { owner: "acme", repo: "typed" });
    expect((types as Array<{ name: string }>).map((t) => t.name)).toEqual(["Task", "Bug"]);
    const task = await gh.rest.issues.create({ owner: "acme", repo: "typed", title: "t", milestone: 2, type: "task" });
    expect(task.data.milestone?.title).toBe("Sooner");
    expect(task.data.type?.name).toBe("Task");
    const epic = await gh.rest.issues.create({ owner: "acme", repo: "typed", title: "e", type: "Epic" });
    expect(epic.data.type).toBeNull();
    const unknown = await failure(gh.rest.issues.create({ owner: "acme", repo: "typed", title: "m", milestone: 99 }));
    expect(unknown.status).toBe(422);
    // A user's repository has no issue types.
    expect(
      (await failure(gh.request("GET /repos/{owner}/{repo}/issue-types", { owner: "acme", repo: "api" }))).status,
    ).toBe(404);
    expect(standIn.violations).toEqual([]);
    expect(standIn.responseViolations).toEqual([]);
  });

  it("adds reactions to issues and comments", async () => {
    const issue = standIn.addIssue("acme/api", { title: "react", comments: [] });
    const comment = standIn.addComment("acme/api", issue.number, { body: "hello" });
    const r1 = await gh.rest.reactions.createForIssueComment({
      owner: "acme",
      repo: "api",
      comment_id: comment.id,
      content: "eyes",
    });
    expect(r1.status).toBe(201);
    expect(r1.data).toMatchObject({ content: "eyes", user: { login: "config-triage[bot]" } });
    const again = await gh.rest.reactions.createForIssueComment({
      owner: "acme",
      repo: "api",
      comment_id: comment.id,
      content: "eyes",
    });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(r1.data.id);
    await gh.rest.reactions.createForIssue({
      owner: "acme",
      repo: "api",
      issue_number: issue.number,
      content: "rocket",
    });
    expect(standIn.issue("acme/api", issue.number)?.reactions.map((r) => r.content)).toEqual(["rocket"]);
    const got = await gh.rest.issues.getComment({ owner: "acme", repo: "api", comment_id: comment.id });
    expect(got.data.reactions).toMatchObject({ total_count: 1, eyes: 1 });
  });

  it("serves config files as raw text and as base64 JSON, also with an encoded path", async () => {
    const raw = await gh.rest.repos.getContent({
      owner: "acme",
      repo: "api",
      path: ".github/config-triage.yml",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe(CONFIG);

    const json = await gh.rest.repos.getContent({ owner: "acme", repo: "api", path: ".github/config-triage.yml" });
    const file = json.data as { type: string; encoding: string; content: string; sha: string; path: string };
    expect(file).toMatchObject({ type: "file", encoding: "base64", path: ".github/config-triage.yml" });
    expect(Buffer.from(file.content, "base64").toString("utf8")).toBe(CONFIG);
    expect(file.sha).toMatch(/^[0-9a-f]{40}$/);

    // What Probot's config plugin sends: /api/v3 prefix, slash encoded as %2F, raw media type
    const res = await fetch(`${standIn.url}/api/v3/repos/acme/api/contents/.github%2Fconfig-triage.yml`, {
      headers: { accept: "application/vnd.github.v3.raw" },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(CONFIG);
    expect(standIn.requests[standIn.requests.length - 1]).toMatchObject({
      path: "/repos/acme/api/contents/.github/config-triage.yml",
      rawPath: "/repos/acme/api/contents/.github%2Fconfig-triage.yml",
    });

    // The fallback to the owner's .github repository: 404 unless it exists
    const fallback = await fetch(`${standIn.url}/api/v3/repos/acme/.github/contents/.github%2Fconfig-triage.yml`);
    expect(fallback.status).toBe(404);
    expect(await fallback.json()).toMatchObject({ message: "Not Found", documentation_url: expect.any(String) });

    const dir = await gh.rest.repos.getContent({ owner: "acme", repo: "api", path: "docs" });
    expect((dir.data as Array<{ name: string; type: string }>).map((e) => [e.name, e.type])).toEqual([
      ["a.md", "file"],
      ["deep", "dir"],
    ]);
    const root = await gh.rest.repos.getContent({ owner: "acme", repo: "api", path: "" });
    expect((root.data as Array<{ name: string }>).map((e) => e.name)).toEqual([".github", "docs"]);

    standIn.setFile("acme/api", "docs/a.md", null);
    expect((await failure(gh.rest.repos.getContent({ owner: "acme", repo: "api", path: "docs/a.md" }))).status).toBe(
      404,
    );
    standIn.setFile("acme/api", ".github/config-triage.yml", "labels: []\n");
    const changed = await gh.rest.repos.getContent({
      owner: "acme",
      repo: "api",
      path: ".github/config-triage.yml",
      mediaType: { format: "raw" },
    });
    expect(changed.data).toBe("labels: []\n");
  });

  it("serves Probot's config plugin, including the fallback to the owner's .github repository", async () => {
    const probotOctokit = new ProbotOctokit({
      baseUrl: `${standIn.url}/api/v3`,
      auth: { token: "ghs_test" },
      throttle: { enabled: false },
      retry: { enabled: false },
      request: { fetch },
      log: { ...quiet, child: () => quiet } as never,
    });
    const direct = await probotOctokit.config.get({ owner: "acme", repo: "api", path: ".github/config-triage.yml" });
    expect(direct.config).toEqual({ labels: [] });

    const none = await probotOctokit.config.get({ owner: "other", repo: "app", path: ".github/config-triage.yml" });
    expect(none.config).toEqual({});
    expect(standIn.requests.slice(-2).map((r) => [r.rawPath, r.status])).toEqual([
      ["/repos/other/app/contents/.github%2Fconfig-triage.yml", 404],
      ["/repos/other/.github/contents/.github%2Fconfig-triage.yml", 404],
    ]);

    standIn.addRepo("other/.github", {
      files: { ".github/config-triage.yml": "labels: [org-wide]\n" },
      installationId: 7,
    });
    const fallback = await probotOctokit.config.get({ owner: "other", repo: "app", path: ".github/config-triage.yml" });
    expect(fallback.config).toEqual({ labels: ["org-wide"] });
    expect(standIn.violations).toEqual([]);
  });

  it("reports collaborator permissions with GitHub's legacy mapping", async () => {
    const expected: Array<[string, string, string, Record<string, boolean>]> = [
      ["rita", "read", "read", { pull: true, triage: false, push: false, maintain: false, admin: false }],
      ["tom", "read", "triage", { pull: true, triage: true, push: false, maintain: false, admin: false }],
      ["wendy", "write", "write", { pull: true, triage: true, push: true, maintain: false, admin: false }],
      ["max", "write", "maintain", { pull: true, triage: true, push: true, maintain: true, admin: false }],
      ["ada", "admin", "admin", { pull: true, triage: true, push: true, maintain: true, admin: true }],
      ["acme", "admin", "admin", { pull: true, triage: true, push: true, maintain: true, admin: true }],
      ["stranger", "read", "read", { pull: true, triage: false, push: false, maintain: false, admin: false }],
    ];
    for (const [username, permission, role, perms] of expected) {
      const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ owner: "acme", repo: "api", username });
      expect([username, data.permission, data.role_name]).toEqual([username, permission, role]);
      expect(data.user?.login).toBe(username);
      expect(data.user?.permissions).toEqual(perms);
    }
    const priv = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner: "acme",
      repo: "private-stuff",
      username: "stranger",
    });
    expect([priv.data.permission, priv.data.role_name]).toEqual(["none", "none"]);
    const nobody = await failure(
      gh.rest.repos.getCollaboratorPermissionLevel({ owner: "acme", repo: "api", username: "-not-a-user-" }),
    );
    expect(nobody.status).toBe(404);
  });

  it("mints installation tokens, knows the app and its installations", async () => {
    const token = await gh.rest.apps.createInstallationAccessToken({ installation_id: 1 });
    expect(token.status).toBe(201);
    expect(token.data.token).toMatch(/^ghs_/);
    expect(Date.parse(token.data.expires_at)).toBeGreaterThan(Date.now());
    expect(token.data.permissions).toMatchObject({ issues: "write" });
    expect(token.data.repository_selection).toBe("all");
    expect((await failure(gh.rest.apps.createInstallationAccessToken({ installation_id: 999 }))).status).toBe(404);

    const app = await gh.rest.apps.getAuthenticated();
    expect(app.data).toMatchObject({ id: 1, slug: "config-triage" });
    const inst = await gh.rest.apps.getRepoInstallation({ owner: "other", repo: "app" });
    expect(inst.data).toMatchObject({ id: 7, app_id: 1, app_slug: "config-triage" });

    const asApp = octokitFor(standIn.url, token.data.token);
    const { data } = await asApp.rest.issues.create({ owner: "acme", repo: "api", title: "by installation" });
    expect(data.user?.login).toBe("config-triage[bot]");
  });

  it("records requests GitHub would reject as violations and answers 422/404", async () => {
    standIn.violations.length = 0;

    const noTitle = await failure(
      rawRequest("POST /repos/{owner}/{repo}/issues", { owner: "acme", repo: "api", body: "no title" }),
    );
    expect(noTitle.status).toBe(422);
    expect(noTitle.response.data).toMatchObject({
      message: "Validation Failed",
      errors: [expect.objectContaining({ field: "title", code: "missing_field" })],
    });

    const stringId = await failure(
      rawRequest("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", {
        owner: "acme",
        repo: "api",
        issue_number: 1,
        sub_issue_id: "1000001",
      }),
    );
    expect(stringId.status).toBe(422);

    const badReaction = await failure(
      rawRequest("POST /repos/{owner}/{repo}/issues/{issue_number}/reactions", {
        owner: "acme",
        repo: "api",
        issue_number: 1,
        content: "thumbsup",
      }),
    );
    expect(badReaction.status).toBe(422);

    const badQuery = await failure(
      rawRequest("GET /repos/{owner}/{repo}/issues", { owner: "acme", repo: "api", per_page: "lots" }),
    );
    expect(badQuery.status).toBe(422);

    const badPathParam = await failure(rawRequest("GET /repos/acme/api/issues/one"));
    expect(badPathParam.status).toBe(422);

    const unknown = await failure(
      rawRequest("GET /repos/{owner}/{repo}/triage-verdicts", { owner: "acme", repo: "api" }),
    );
    expect(unknown.status).toBe(404);

    const wrongMethod = await failure(
      rawRequest("PUT /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner: "acme",
        repo: "api",
        issue_number: 1,
        body: "x",
      }),
    );
    expect(wrongMethod.status).toBe(404);

    expect(standIn.violations).toEqual([
      "POST /repos/acme/api/issues: body/title is required",
      "POST /repos/acme/api/issues/1/sub_issues: body/sub_issue_id must be integer",
      'POST /repos/acme/api/issues/1/reactions: body/content must be one of: "+1", "-1", "laugh", "confused", ' +
        '"heart", "hooray", "rocket", "eyes"',
      "GET /repos/acme/api/issues: query/per_page must be integer",
      "GET /repos/acme/api/issues/one: path/issue_number must be integer",
      "GET /repos/acme/api/triage-verdicts: no such path in GitHub's REST API description",
      "PUT /repos/acme/api/issues/1/comments: GitHub has no PUT operation on this path (it has GET, POST)",
    ]);
    // nothing was created by the rejected requests
    expect(standIn.issues("acme/api").some((i) => i.body === "no title")).toBe(false);
    standIn.violations.length = 0;
  });

  it("answers known-but-unimplemented operations with 404 without calling them violations", async () => {
    const res = await failure(gh.rest.repos.listBranches({ owner: "acme", repo: "api" }));
    expect(res.status).toBe(404);
    expect(standIn.violations).toEqual([]);
    expect(standIn.unimplemented.pop()).toBe("GET /repos/acme/api/branches (repos/list-branches)");
  });

  it("answers GraphQL on both paths; a field GitHub's schema lacks fails loudly (a violation, no data)", async () => {
    for (const path of ["/api/graphql", "/graphql"]) {
      const res = await fetch(`${standIn.url}${path}`, {
        method: "POST",
        body: JSON.stringify({ query: "{ viewer { logins } }" }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        errors: [
          {
            message: "Field 'logins' doesn't exist on type 'User'",
            locations: [{ line: 1, column: 12 }],
            path: ["query", "viewer", "logins"],
            extensions: { code: "undefinedField", typeName: "User", fieldName: "logins" },
          },
        ],
      });
    }
    expect(standIn.violations.splice(0)).toEqual([
      "POST /api/graphql: GraphQL: Field 'logins' doesn't exist on type 'User'",
      "POST /graphql: GraphQL: Field 'logins' doesn't exist on type 'User'",
    ]);
  });

  it("mints ids of today's sizes and node ids in GitHub's current format", async () => {
    standIn.addRepo("acme/ids");
    const issue = (await gh.rest.issues.create({ owner: "acme", repo: "ids", title: "big ids", labels: ["size"] }))
      .data;
    const comment = (
      await gh.rest.issues.createComment({ owner: "acme", repo: "ids", issue_number: issue.number, body: "hi" })
    ).data;
    const repo = (await gh.rest.repos.get({ owner: "acme", repo: "ids" })).data;
    expect(issue.id).toBeGreaterThan(3_500_000_000);
    expect(comment.id).toBeGreaterThan(3_500_000_000);
    expect((issue.labels[0] as { id: number }).id).toBeGreaterThan(2 ** 31);
    expect(repo.id).toBeGreaterThan(1_000_000_000);
    expect(issue.node_id).toMatch(/^I_kwDO[A-Za-z0-9_-]+$/);
    expect(comment.node_id).toMatch(/^IC_kwDO[A-Za-z0-9_-]+$/);
    expect((issue.labels[0] as { node_id: string }).node_id).toMatch(/^LA_kwDO[A-Za-z0-9_-]+$/);
    expect(repo.node_id).toMatch(/^R_kgDO[A-Za-z0-9_-]+$/);
    expect(decodeNodeId(issue.node_id)).toEqual({ kind: "I", ids: [repo.id, issue.id] });
  });

  it("answers GraphQL's 32-bit databaseId with GitHub's error past 2^31, and fullDatabaseId as a string", async () => {
    standIn.addRepo("acme/gql");
    const issue = standIn.addIssue("acme/gql", { title: "big" });
    const comment = standIn.addComment("acme/gql", issue.number, { body: "c" });
    const query = (field: string) =>
      fetch(`${standIn.url}/graphql`, {
        method: "POST",
        body: JSON.stringify({
          query:
            `{ repository(owner: "acme", name: "gql") { issue(number: ${issue.number}) { ${field} comments(first: 1) ` +
            `{ nodes { ${field} } } } } }`,
        }),
      }).then((r) => r.json());
    expect(await query("fullDatabaseId")).toEqual({
      data: {
        repository: {
          issue: { fullDatabaseId: String(issue.id), comments: { nodes: [{ fullDatabaseId: String(comment.id) }] } },
        },
      },
    });
    const narrow = (await query("databaseId")) as {
      data: unknown;
      errors: Array<{ message: string; path: unknown[] }>;
    };
    expect(narrow.errors.map((e) => [e.message, e.path])).toEqual([
      [`Int cannot represent non 32-bit signed integer value: ${issue.id}`, ["repository", "issue", "databaseId"]],
      [
        `Int cannot represent non 32-bit signed integer value: ${comment.id}`,
        ["repository", "issue", "comments", "nodes", 0, "databaseId"],
      ],
    ]);
    expect(standIn.violations.splice(0)).toHaveLength(2);
  });

  it("finds a pull request's number only through issueOrPullRequest, as GitHub does", async () => {
    const pr = standIn.addIssue("acme/gql", { title: "a PR", pull_request: true });
    const answer = await gh.graphql
      .call(null, `query($n: Int!) { repository(owner: "acme", name: "gql") { issue(number: $n) { id } } }`, {
        n: pr.number,
      })
      .catch((e: { errors: unknown; data: unknown }) => e);
    expect(answer).toMatchObject({
      data: { repository: { issue: null } },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["repository", "issue"],
          message: `Could not resolve to an Issue with the number of ${pr.number}.`,
        },
      ],
    });
    const either = await gh.graphql<{ repository: { issueOrPullRequest: { __typename: string; id: string } } }>(
      `query($n: Int!) { repository(owner: "acme", name: "gql") { issueOrPullRequest(number: $n) { __typename ... on ` +
        `PullRequest { id } } } }`,
      { n: pr.number },
    );
    expect(either.repository.issueOrPullRequest).toEqual({ __typename: "PullRequest", id: pr.node_id });
    expect(standIn.violations).toEqual([]);
  });

  it("creates an issue from every input of GitHub's createIssue: labels, assignees, milestone, parent", async () => {
    const milestone = standIn.addMilestone("acme/gql", { title: "v2" });
    const parent = standIn.addIssue("acme/gql", { title: "parent" });
    const ids = await gh.graphql<{
      repository: { id: string; labels: { nodes: Array<{ id: string }> } };
      user: { id: string };
    }>(
      `{ repository(owner: "acme", name: "gql") { id labels(first: 1, query: "size") { nodes { id } } } user(login: ` +
        `"wendy") { id } }`,
    );
    standIn.addIssue("acme/gql", { title: "labelled", labels: ["size"] });
    const again = await gh.graphql<{ repository: { labels: { nodes: Array<{ id: string }> } } }>(
      `{ repository(owner: "acme", name: "gql") { labels(first: 1, query: "size") { nodes { id } } } }`,
    );
    const made = await gh.graphql<{
      createIssue: { issue: { number: number; milestone: { title: string }; parent: { number: number } } };
    }>(
      `mutation($i: CreateIssueInput!) { createIssue(input: $i) { issue { number milestone { title } parent { number ` +
        `} } } }`,
      {
        i: {
          repositoryId: ids.repository.id,
          title: "child",
          labelIds: again.repository.labels.nodes.map((l) => l.id),
          assigneeIds: [ids.user.id],
          milestoneId: milestone.node_id,
          parentIssueId: parent.node_id,
        },
      },
    );
    expect(made.createIssue.issue).toMatchObject({ milestone: { title: "v2" }, parent: { number: parent.number } });
    const stored = standIn.issue("acme/gql", made.createIssue.issue.number)!;
    expect(stored).toMatchObject({
      labels: ["size"],
      assignees: ["wendy"],
      milestone: milestone.number,
      parent: parent.id,
    });
    const rest = await gh.rest.issues.get({ owner: "acme", repo: "gql", issue_number: stored.number });
    expect(rest.data.milestone).toMatchObject({ title: "v2", number: milestone.number, open_issues: 1 });
    const bad = await gh.graphql
      .call(null, `mutation($i: CreateIssueInput!) { createIssue(input: $i) { issue { number } } }`, {
        i: { repositoryId: ids.repository.id, title: "x", nope: 1 },
      })
      .catch((e: { errors: Array<{ message: string }> }) => e);
    expect((bad as { errors: Array<{ message: string }> }).errors[0].message).toBe(
      "Variable $i of type CreateIssueInput! was provided invalid value",
    );
    expect(standIn.violations.splice(0)).toHaveLength(1);
  });

  it("creates check runs with ids past 2^31, and refuses an output past GitHub's limits", async () => {
    const { data } = await gh.rest.checks.create({
      owner: "acme",
      repo: "api",
      name: "config-triage",
      head_sha: "a".repeat(40),
      status: "completed",
      conclusion: "success",
      output: { title: "ok", summary: "all good" },
    });
    expect(data.id).toBeGreaterThan(2 ** 31);
    expect(data.node_id).toMatch(/^CR_kwDO/);
    expect(data.output).toMatchObject({ title: "ok", summary: "all good", annotations_count: 0 });
    const long = await failure(
      gh.rest.checks.create({
        owner: "acme",
        repo: "api",
        name: "x",
        head_sha: "a".repeat(40),
        output: { title: "t", summary: "s".repeat(65536) },
      }),
    );
    expect(long.status).toBe(422);
    expect(standIn.violations.splice(0)).toEqual([
      "POST /repos/acme/api/check-runs: body/output/summary must NOT have more than 65535 characters",
    ]);
  });

  it("injects a 502 once, then answers normally", async () => {
    standIn.fault({ method: "POST", path: /\/issues\/1\/comments$/, status: 502 });
    const first = await failure(
      gh.rest.issues.createComment({ owner: "acme", repo: "api", issue_number: 1, body: "retry me" }),
    );
    expect(first.status).toBe(502);
    const before = standIn.issue("acme/api", 1)?.comments.length ?? 0;
    const second = await gh.rest.issues.createComment({
      owner: "acme",
      repo: "api",
      issue_number: 1,
      body: "retry me",
    });
    expect(second.status).toBe(201);
    expect(standIn.issue("acme/api", 1)?.comments.length).toBe(before + 1);
    expect(
      standIn.requests
        .filter((r) => r.path === "/repos/acme/api/issues/1/comments" && r.method === "POST")
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([502, 201]);
  });

  it("applies a faulted write before it answers: a 5xx or a dropped connection after the comment posted", async () => {
    const comments = () => standIn.issue("acme/api", 1)!.comments.length;
    const before = comments();
    standIn.fault({ method: "POST", path: /\/issues\/1\/comments$/, status: 500 });
    expect(
      (
        await failure(
          gh.rest.issues.createComment({ owner: "acme", repo: "api", issue_number: 1, body: "written, then 500" }),
        )
      ).status,
    ).toBe(500);
    expect(comments()).toBe(before + 1);
    standIn.fault({ method: "POST", path: /\/issues\/1\/comments$/, drop: true });
    const dropped = await failure(
      gh.rest.issues.createComment({ owner: "acme", repo: "api", issue_number: 1, body: "written, then dropped" }),
    );
    expect(dropped.status).toBe(500);
    expect(dropped.response).toBeUndefined();
    expect(comments()).toBe(before + 2);
    expect(standIn.requests.at(-1)!.status).toBe(-1);
  });

  it("applies a faulted GraphQL mutation before it answers, and picks one document by its text", async () => {
    const repo = (
      await gh.graphql<{ repository: { id: string; issue: { id: string } } }>(
        `query { repository(owner: "acme", name: "api") { id issue(number: 1) { id } } }`,
      )
    ).repository;
    const count = () => standIn.issues("acme/api").length;
    const before = count();
    standIn.fault({ path: /graphql$/, bodyMatches: /mutation Second/, drop: true });
    const create = (name: string) =>
      gh.graphql(`mutation ${name}($i: CreateIssueInput!) { f: createIssue(input: $i) { issue { number } } }`, {
        i: { repositoryId: repo.id, title: `made by ${name}`, parentIssueId: repo.issue.id },
      });
    await create("First"); // not matched: answered normally
    await expect(create("Second")).rejects.toMatchObject({ status: 500 });
    expect(count()).toBe(before + 2);
    expect(standIn.issues("acme/api").filter((i) => i.title === "made by Second")).toHaveLength(1);
  });

  it("holds one matching answer for delayMs (a hung request), the others answer at once", async () => {
    standIn.fault({ method: "GET", path: /\/issues\/1$/, delayMs: 400 });
    const t0 = Date.now();
    await gh.rest.issues.get({ owner: "acme", repo: "api", issue_number: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    // The others answer at once: one held for longer than the test runs, and the next one answered while it is held
    // (no wall-clock margin: the order of the events says it).
    standIn.fault({ method: "GET", path: /\/issues\/1$/, delayMs: 600_000 });
    const abort = new AbortController();
    let held = "pending";
    const hung = gh.rest.issues
      .get({ owner: "acme", repo: "api", issue_number: 1, request: { signal: abort.signal } })
      .then(
        () => (held = "answered"),
        () => (held = "aborted"),
      );
    while (!standIn.requests.some((r) => r.status === 0)) await new Promise((r) => setTimeout(r, 5));
    await gh.rest.issues.get({ owner: "acme", repo: "api", issue_number: 1 });
    expect(held).toBe("pending");
    abort.abort();
    await hung;
    expect(held).toBe("aborted");
  });

  it("injects a secondary rate limit (403 with retry-after)", async () => {
    standIn.fault({ path: /\/sub_issues$/, status: 403, headers: { "retry-after": "3" }, times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await failure(gh.rest.issues.listSubIssues({ owner: "acme", repo: "api", issue_number: 1 }));
      expect(err.status).toBe(403);
      expect(err.response.headers["retry-after"]).toBe("3");
      expect(err.response.data.message).toMatch(/secondary rate limit/);
    }
    const ok = await gh.rest.issues.listSubIssues({ owner: "acme", repo: "api", issue_number: 1 });
    expect(ok.status).toBe(200);
  });

  it("delays answers by latencyMs and tracks concurrency", async () => {
    standIn.latencyMs = 150;
    const t0 = Date.now();
    await Promise.all([1, 2, 3].map(() => gh.rest.issues.get({ owner: "acme", repo: "api", issue_number: 1 })));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(standIn.maxConcurrent).toBeGreaterThanOrEqual(3);
    standIn.latencyMs = 0;
  });

  it("answers every 2xx with a body that matches GitHub's response schemas", () => {
    expect(standIn.responseViolations).toEqual([]);
    expect(standIn.violations).toEqual([]);
  });
});
