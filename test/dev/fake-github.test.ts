/**
 * The in-memory fake GitHub against the real thing it stands for: the same calls through the app's REST adapter
 * (Octokit over HTTP to the stand-in, every request checked against GitHub's OpenAPI description) and through the fake
 * (the same world, no HTTP) give the same answers and leave the same world. Then the rules the fake must keep.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import type { Context } from "probot";
import { resolveRole } from "../../src/domain/roles/resolve-role.js";
import { commandGitHubFromContext } from "../../src/adapters/github/command-github.js";
import { GitHubError, GitHubWorld, type StandInIssue } from "../../dev/github-world.js";
import { fakeGitHub, type FakeGitHub } from "../../dev/fake-github.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../dev/github-standin.js";

const FULL = "acme/shop";
const CONFIG = "labels: [triage:config]\n";
const TEMPLATE = "---\ntitle: Rotate {{parent.number}}\n---\nRotate the key.\n";

/** One world as both sides start from it: a repository with a config, a template, roles, milestones and #1. */
function seed(world: Pick<GitHubWorld, "addRepo" | "addIssue" | "addComment" | "addMilestone">): void {
  world.addRepo(FULL, {
    files: {
      ".github/config-triage.yml": CONFIG,
      ".github/config-triage/rotate.md": TEMPLATE,
      "ops/snap.yaml": "x: 1",
    },
    collaborators: { tria: "triage", wri: "write", boss: "maintain" },
    issueTypes: ["Task", "Bug"],
  });
  world.addMilestone(FULL, { title: "Later", due_on: "2030-03-01T00:00:00Z" });
  world.addMilestone(FULL, { title: "Soon", due_on: "2030-01-01T00:00:00Z" });
  world.addMilestone(FULL, { title: "Done", state: "closed" });
  world.addIssue(FULL, { number: 1, title: "Config broken", body: "JWT missing", labels: ["triage:config"] });
  world.addComment(FULL, 1, { body: "me too", user: { login: "wri", type: "User" } });
}

/** The world as a person sees it on GitHub (numbers, not ids). */
function seen(world: GitHubWorld) {
  const byId = new Map(world.issues(FULL).map((i) => [i.id, i.number]));
  return world.issues(FULL).map((i: StandInIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    by: i.user.login,
    state: `${i.state}/${i.state_reason}`,
    labels: i.labels,
    milestone: i.milestone,
    type: i.type,
    subIssues: i.sub_issues.map((id) => byId.get(id)),
    blockedBy: (i.blocked_by ?? []).map((id) => byId.get(id)),
    comments: i.comments.map((c) => `${c.user.login}: ${c.body} [${c.reactions.map((r) => r.content).join()}]`),
  }));
}

/** A run of every call the ports make, recording what each answered (ids left out: they are the world's). */
async function script(gh: FakeGitHub): Promise<unknown[]> {
  const out: unknown[] = [];
  const failed = (e: unknown) => `failed ${(e as GitHubError).status}`;
  out.push((await gh.readConfig()).kind, await gh.readConfigText());
  out.push((await gh.readRepoTemplates()).map((t) => [t.name, t.file, t.text]));
  out.push((await gh.readRepoFile("ops/snap.yaml"))?.text, await gh.readRepoFile("ops/none.yaml"));
  out.push((await gh.listComments()).map((c) => [c.body, c.user?.login, Boolean(c.performed_via_github_app)]));
  const mine = await gh.createComment("checking");
  await gh.updateComment(mine.id, "checked");
  out.push(
    (await gh.listMilestones()).map((m) => m.title),
    (await gh.listIssueTypes())?.map((t) => t.name),
  );
  const soon = (await gh.listMilestones())[0];
  const fix = await gh.createIssue({
    title: "Fix",
    body: "<!-- follow-up -->",
    labels: ["needs-review"],
    assignees: [],
    milestone: soon,
    type: { name: "Task", node_id: "" },
  });
  const doc = await gh.createIssue({ title: "Doc", body: "b", labels: [], assignees: [], type: { name: "Epic" } });
  out.push([fix.number, fix.title, fix.milestone?.title, fix.type?.name], [doc.number, doc.type ?? null]);
  await gh.addSubIssue(fix.id);
  await gh.addSubIssue(doc.id);
  out.push(await gh.addSubIssue(fix.id).catch(failed), await gh.addSubIssue(fix.number).catch(failed));
  out.push((await gh.listSubIssues()).map((i) => [i.number, i.state, i.milestone?.title ?? null]));
  await gh.addBlockedBy(doc.number, fix.id);
  out.push(await gh.addBlockedBy(doc.number, fix.id).catch(failed));
  out.push(
    (await gh.listBlockedBy(doc.number)).map((b) => b.number),
    (await gh.listOwnIssues()).map((i) => i.number),
  );
  await gh.removeLabel("triage:config");
  await gh.removeLabel("not-there");
  await gh.react(mine.id, "eyes");
  await gh.react(mine.id, "eyes");
  for (const user of ["tria", "wri", "boss", "acme", "passer-by"]) out.push(resolveRole(await gh.permissionOf(user)));
  out.push(await gh.permissionOf("not a login").catch(failed));
  await gh.closeIssue("completed");
  await gh.reopenIssue();
  await gh.updateBody("JWT missing (edited)");
  return out;
}

describe("the fake GitHub and the REST adapter over the stand-in", () => {
  let standIn: GitHubStandIn;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    seed(standIn);
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("answer the same calls alike and leave the same world", async () => {
    const octokit = new Octokit({ baseUrl: standIn.url, auth: "installation-token" });
    const context = {
      octokit,
      payload: { issue: { number: 1, created_at: standIn.issue(FULL, 1)!.created_at } },
      repo: () => ({ owner: "acme", repo: "shop" }),
      config: async () => ({ labels: ["triage:config"] }),
    } as unknown as Context<"issue_comment">;
    // The adapter over HTTP (its config comes through Probot's `context.config`, not played here).
    // The adapter finds the app's own issues by its bot login; a token (not an app JWT) cannot ask `GET /app`.
    const deps = { identity: {}, transport: "rest" as const, ownIssuesBy: standIn.botLogin };
    const rest = commandGitHubFromContext(context, 1, deps) as unknown as FakeGitHub;
    const overHttp = await script(rest);

    const world = new GitHubWorld();
    seed(world);
    const inMemory = await script(fakeGitHub(world, FULL, 1));

    expect(inMemory).toEqual(overHttp);
    expect(seen(world)).toEqual(seen(standIn as unknown as GitHubWorld));
    // The one request GitHub refuses is the dependency sent twice on purpose; the world counts it the same both ways.
    expect(standIn.violations).toEqual(["POST dependencies/blocked_by: #2 already blocks #3 (sent twice)"]);
    expect(world.violations).toEqual(standIn.violations);
    // The world the script leaves, as a person sees it.
    expect(seen(world)).toEqual([
      {
        number: 1,
        title: "Config broken",
        body: "JWT missing (edited)",
        by: "octocat",
        state: "open/reopened",
        labels: [],
        milestone: null,
        type: null,
        subIssues: [2, 3],
        blockedBy: [],
        comments: ["wri: me too []", "config-triage[bot]: checked [eyes]"],
      },
      expect.objectContaining({ number: 2, title: "Fix", milestone: 2, type: "Task", labels: ["needs-review"] }),
      expect.objectContaining({ number: 3, title: "Doc", type: null, blockedBy: [2] }),
    ]);
  });
});

describe("the fake GitHub keeps GitHub's rules", () => {
  const world = () => {
    const w = new GitHubWorld();
    seed(w);
    return w;
  };

  it.each<[string, (gh: FakeGitHub, w: GitHubWorld) => Promise<unknown>, number]>([
    ["a sub-issue named by its number", async (gh) => gh.addSubIssue(1), 404],
    ["an issue its own sub-issue", async (gh, w) => gh.addSubIssue(w.issue(FULL, 1)!.id), 422],
    [
      "a title past 256 characters",
      async (gh) => gh.createIssue({ title: "t".repeat(257), body: "", labels: [], assignees: [] }),
      422,
    ],
    [
      "an unknown milestone",
      async (gh) =>
        gh.createIssue({ title: "t", body: "", labels: [], assignees: [], milestone: { number: 9, node_id: "" } }),
      422,
    ],
    ["a comment past 65,536 characters", async (gh) => gh.createComment("x".repeat(65_537)), 422],
    ["an edit of a comment that is not there", async (gh) => gh.updateComment(42, "x"), 404],
    ["an issue that is not there", async (_gh, w) => fakeGitHub(w, FULL, 99).listComments(), 404],
  ])("refuses %s (%#)", async (_name, call, status) => {
    const w = world();
    const error = await call(fakeGitHub(w, FULL, 1), w).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).status).toBe(status);
  });

  it("refuses dependencies where GitHub has none (404) or the app may not write them (403)", async () => {
    for (const [dependencies, status] of [
      ["absent", 404],
      ["forbidden", 403],
    ] as const) {
      const w = new GitHubWorld();
      w.addRepo(FULL, { dependencies });
      const a = w.addIssue(FULL, { title: "a" });
      w.addIssue(FULL, { title: "b" });
      const error = await fakeGitHub(w, FULL, 2)
        .addBlockedBy(2, a.id)
        .catch((e: GitHubError) => e);
      expect([(error as GitHubError).status, (error as GitHubError).response.data.message]).toEqual([
        status,
        status === 404 ? "Not Found" : "Resource not accessible by integration",
      ]);
    }
  });

  it("writes as the actor it is given, and reads the owner's .github config when the repository has none", async () => {
    const w = new GitHubWorld();
    w.addRepo("acme/.github", { files: { ".github/config-triage.yml": "labels: [org-wide]\n" } });
    w.addRepo("acme/app");
    w.addIssue("acme/app", { title: "x" });
    const gh = fakeGitHub(w, "acme/app", 1, { actor: { user: { login: "wri", type: "User" }, app: null } });
    await gh.createComment("by a person");
    expect(w.issue("acme/app", 1)!.comments.map((c) => [c.user.login, c.performed_via_github_app])).toEqual([
      ["wri", null],
    ]);
    expect(await gh.readConfig()).toMatchObject({ kind: "found", value: { labels: ["org-wide"] } });
    // The app's one config source: `_extends` is followed over the world's files too.
    w.setFile("acme/app", ".github/config-triage.yml", "_extends: .github\nmode: review\n");
    expect(await gh.readConfig()).toMatchObject({ kind: "found", value: { labels: ["org-wide"], mode: "review" } });
  });
});
