/**
 * The in-memory fake GitHub: the app's ports (what the triage, the trigger label, the command runner and every command
 * declare they ask of GitHub) implemented directly over the stand-in's world (`github-world.ts`), with no HTTP. A table
 * test sets up a world, runs a use case with `fakeGitHub(world, ...)`, and asserts on the world's issues, comments and
 * labels afterwards. The rules of GitHub's writes are the world's, so the fake refuses what the stand-in refuses.
 *
 * What the fake does not play: Octokit, HTTP, pagination and GraphQL: the adapters' own tests cover those over nock
 * and the stand-in. The config is read by the app's one config source (`loadConfig`), over the world's files.
 */
import { CONFIG_PATH } from "../src/domain/config/schema.js";
import type { ReviewGitHub } from "../src/use-cases/slash-commands/record-review.js";
import type { CommandPorts } from "../src/use-cases/slash-commands/command-list.js";
import type { LabelTriggerGitHub } from "../src/use-cases/label-trigger.js";
import type { CommandRunnerGitHub } from "../src/use-cases/slash-commands/slash-commands.js";
import type { Reaction } from "../src/use-cases/ports/command-github.js";
import { applyWritesOneByOne, type SingleWrites } from "../src/adapters/github/issue-github.js";
import type { GhComment, GhIssue, RepoTemplateFile } from "../src/use-cases/ports/issue-github.js";
import { loadConfig } from "../src/use-cases/load-config.js";
import { REPO_TEMPLATE_DIR } from "../src/domain/config/follow-up-template.js";
import type { FailureGitHub } from "../src/use-cases/triage/report-failure.js";
import {
  type Actor,
  GitHubError,
  type GitHubWorld,
  type RepoState,
  type StandInComment,
  type StandInIssue,
} from "./github-world.js";

/** Every port the app's use cases declare, for one issue: what the fake implements. */
export type FakeGitHub = CommandRunnerGitHub &
  CommandPorts &
  LabelTriggerGitHub &
  FailureGitHub &
  ReviewGitHub &
  SingleWrites & { readonly number: number };

export interface FakeGitHubOptions {
  /** Who the calls act as; default the app's bot (`world.bot`). */
  actor?: Actor;
}

/** A comment as GitHub's REST API gives the fields the app reads. */
export function commentOf(c: StandInComment): GhComment {
  return {
    id: c.id,
    node_id: c.node_id,
    body: c.body,
    user: { login: c.user.login, type: c.user.type },
    performed_via_github_app: c.performed_via_github_app ? { id: c.performed_via_github_app.id } : null,
  };
}

/** An issue as GitHub's REST API gives the fields the app reads. */
export function issueOf(repo: RepoState, i: StandInIssue): GhIssue & { created_at: string } {
  const milestone = repo.milestones.find((m) => m.number === i.milestone);
  return {
    id: i.id,
    node_id: i.node_id,
    body: i.body,
    user: { login: i.user.login, type: i.user.type },
    performed_via_github_app: i.performed_via_github_app ? { id: i.performed_via_github_app.id } : null,
    number: i.number,
    title: i.title,
    state: i.state,
    state_reason: i.state_reason,
    html_url: `https://github.com/${repo.fullName}/issues/${i.number}`,
    milestone: milestone ? { number: milestone.number, title: milestone.title } : null,
    type: i.type ? { name: i.type } : null,
    created_at: i.created_at,
  };
}

/**
 * The ports for issue `number` of `fullName` in `world`. Every call reads and writes the world at once (no copies), so
 * the world after a run is what GitHub would hold.
 */
export function fakeGitHub(
  world: GitHubWorld,
  fullName: string,
  number: number,
  o: FakeGitHubOptions = {},
): FakeGitHub {
  const actor = o.actor ?? world.bot;
  const repo = () => world.repoNamed(fullName);
  const issue = (n = number) => world.issueNumbered(repo(), n);
  const file = (r: RepoState | undefined, path: string) => r?.files.get(path);

  const gh: FakeGitHub = {
    owner: fullName.split("/")[0],
    repo: fullName.split("/")[1],
    number,
    // The one config source of the app (own file, the owner's `.github`, `_extends`) over the world's files.
    readConfig: () =>
      loadConfig(
        { read: async (at) => file(world.repo(`${at.owner}/${at.repo}`), at.path) },
        { owner: gh.owner, repo: gh.repo, path: CONFIG_PATH },
      ),
    async readConfigText() {
      return file(repo(), CONFIG_PATH);
    },
    async readRepoTemplates() {
      const templates: RepoTemplateFile[] = [];
      for (const [path, text] of repo().files) {
        const name = path.slice(REPO_TEMPLATE_DIR.length + 1, -3);
        if (path.startsWith(`${REPO_TEMPLATE_DIR}/`) && path.endsWith(".md") && !name.includes("/"))
          templates.push({ name, file: path, text });
      }
      return templates.sort((a, b) => a.name.localeCompare(b.name));
    },
    async readRepoFile(path) {
      const text = file(repo(), path);
      return text === undefined ? undefined : { text, updatedAt: repo().fileDates.get(path) };
    },
    async listComments() {
      return issue().comments.map(commentOf);
    },
    async listSubIssues() {
      return world.subIssuesOf(issue()).map((s) => issueOf(s.repo, s.issue));
    },
    async listOwnIssues() {
      const query = { creator: world.botLogin, state: "all", sort: "created", direction: "desc" };
      return world.listIssues(repo(), { ...query, since: issue().created_at }).map((i) => issueOf(repo(), i));
    },
    async listMilestones() {
      return world
        .listMilestones(repo())
        .map(({ number, title, due_on, node_id }) => ({ number, title, due_on, node_id }));
    },
    async listIssueTypes() {
      return repo().issueTypes?.map(({ name, node_id }) => ({ name, node_id }));
    },
    async listBlockedBy(n) {
      return world.blockersOf(repo(), issue(n)).map((b) => ({ id: b.issue.id, number: b.issue.number }));
    },
    async addBlockedBy(n, blockingId) {
      world.addBlockedBy(repo(), issue(n), blockingId);
    },
    async createComment(body) {
      return commentOf(world.createComment(repo(), issue(), body, actor));
    },
    async updateComment(id, body) {
      world.updateComment(world.commentWithId(repo(), id).comment, body);
    },
    async createIssue(draft) {
      const { title, body, labels, assignees } = draft;
      const fields = { title, body, labels, assignees, milestone: draft.milestone?.number, type: draft.type?.name };
      return issueOf(repo(), world.createIssue(repo(), fields, actor));
    },
    async addSubIssue(childId) {
      world.addSubIssue(repo(), issue(), childId);
    },
    async closeIssue(reason) {
      world.setIssueState(issue(), "closed", reason, actor);
    },
    async reopenIssue() {
      world.setIssueState(issue(), "open", undefined, actor);
    },
    async updateOtherIssue(n, update: { body?: string; close?: "completed"; reopen?: boolean }) {
      if (update.body !== undefined) world.setIssueBody(issue(n), update.body);
      if (update.close) world.setIssueState(issue(n), "closed", update.close, actor);
      else if (update.reopen) world.setIssueState(issue(n), "open", undefined, actor);
    },
    async commentOnOther(n, body) {
      world.createComment(repo(), issue(n), body, actor);
    },
    async updateBody(body) {
      world.setIssueBody(issue(), body);
    },
    async removeLabel(name) {
      try {
        world.removeLabel(issue(), name);
      } catch (error) {
        if ((error as GitHubError).status !== 404) throw error;
      }
    },
    async react(commentId: number, content: Reaction) {
      world.react(world.commentWithId(repo(), commentId).comment, content, actor.user.login);
    },
    async permissionOf(user) {
      const { permission, role_name, permissions } = world.permissionOf(repo(), user);
      return { permission, role_name, user: { permissions } };
    },
    applyWrites: (batch) => applyWritesOneByOne(gh, batch),
  };
  return gh;
}

/**
 * The same ports with some calls replaced: how a table test makes GitHub refuse or answer what the world does not
 * model (a 502, a custom role without base permissions). A replaced call that throws a `GitHubError` fails as Octokit
 * would, with `status`.
 */
export function withAnswers(gh: FakeGitHub, answers: Partial<FakeGitHub>): FakeGitHub {
  const replaced = { ...gh, ...answers } as FakeGitHub;
  // `applyWrites` goes through the replaced single writes.
  return { ...replaced, applyWrites: (batch) => applyWritesOneByOne(replaced, batch) };
}

/** A call that GitHub refuses with `status` (e.g. `{ react: refuse(403) }`). */
export function refuse(status: number, message = "refused"): () => Promise<never> {
  return async () => {
    throw new GitHubError(status, message);
  };
}
