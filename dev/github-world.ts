/**
 * The GitHub the stand-in plays, without HTTP: repositories, issues, comments, labels, milestones, sub-issues,
 * dependencies, reactions and files held in memory, with the rules GitHub applies to writes (title and body limits, ids
 * not numbers for sub-issues and dependencies, one parent per sub-issue, ...). The HTTP stand-in
 * (`github-standin.ts`) serves it over REST and GraphQL; the in-memory fake (`fake-github.ts`) implements the app's
 * ports over it directly, so a table test and an end-to-end test set up the same world.
 */
import { FIRST_IDS, nodeId } from "./github-ids.js";

export type Role = "read" | "triage" | "write" | "maintain" | "admin";
export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export interface StandInUserRef {
  login: string;
  type: "User" | "Bot";
}

export interface StandInAppRef {
  id: number;
  slug: string;
}

export interface StandInReaction {
  content: string;
  user: string;
  id?: number;
  created_at?: string;
}

export interface StandInComment {
  id: number;
  node_id: string;
  body: string;
  user: StandInUserRef;
  performed_via_github_app: StandInAppRef | null;
  created_at: string;
  updated_at: string;
  reactions: StandInReaction[];
}

export interface StandInIssue {
  id: number;
  node_id: string;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  /** Label names. */
  labels: string[];
  /** Assignee logins. */
  assignees: string[];
  /** The number of its milestone in its repository. */
  milestone?: number | null;
  user: StandInUserRef;
  performed_via_github_app: StandInAppRef | null;
  /** Child issue ids (not numbers). */
  sub_issues: number[];
  /** Parent issue id (not number). */
  parent: number | null;
  /** Ids of the issues that block this one (GitHub issue dependencies, "blocked by"). */
  blocked_by?: number[];
  /** Its issue type's name, where the repository has issue types. */
  type?: string | null;
  comments: StandInComment[];
  reactions: StandInReaction[];
  /** True for a pull request (PRs share the issue number space). */
  pull_request?: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: string | null;
}

export interface AddRepoOptions {
  /** path -> text, e.g. { ".github/config-triage.yml": "..." } */
  files?: Record<string, string>;
  /** login -> role. The owner of a repo is an admin unless listed here. */
  collaborators?: Record<string, Role>;
  defaultBranch?: string;
  /** Default 1. Access tokens are only minted for installation ids some repo uses. */
  installationId?: number;
  /** Default false. Decides what the permission endpoint says about non-collaborators (read vs none). */
  private?: boolean;
  /**
   * The issue types its organisation has (GitHub's defaults are Task, Bug, Feature). Absent: a repository without issue
   * types (a user's): `GET /repos/{o}/{r}/issue-types` answers 404 and a `type` given to `POST /issues` is dropped.
   */
  issueTypes?: string[];
  /**
   * Issue dependencies: `on` (default); `absent`, a GitHub without them (GitHub Enterprise Server before 3.19: 404);
   * `forbidden`, a token that may not write them (403 on the POST).
   */
  dependencies?: "on" | "absent" | "forbidden";
}

export interface LabelState {
  id: number;
  node_id: string;
  name: string;
  color: string;
  description: string | null;
}

export interface MilestoneState {
  id: number;
  node_id: string;
  number: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  due_on: string | null;
  created_at: string;
}

export interface RepoState {
  id: number;
  node_id: string;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  installationId: number;
  files: Map<string, string>;
  /** When each file was last written (its last commit's date). */
  fileDates: Map<string, string>;
  collaborators: Map<string, { login: string; role: Role }>;
  labels: Map<string, LabelState>;
  milestones: MilestoneState[];
  /** Check runs created on the repository, as answered (`POST /repos/{o}/{r}/check-runs`). */
  checkRuns: Array<Record<string, unknown>>;
  issues: StandInIssue[];
  createdAt: string;
  issueTypes?: Array<{ id: number; node_id: string; name: string; color: string }>;
  dependencies: "on" | "absent" | "forbidden";
}

/** Who makes a request: a user, or the app's bot (with the app). */
export interface Actor {
  user: StandInUserRef;
  app: StandInAppRef | null;
}

/**
 * GitHub's refusal of a request, with its status and message: the stand-in answers it over HTTP, the fake throws it as
 * Octokit would (`status`, `response.data.message`).
 */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** As Octokit's `RequestError` carries GitHub's answer. */
  get response(): { status: number; data: { message: string } } {
    return { status: this.status, data: { message: this.message } };
  }
}

export const ROLE_PERMISSIONS: Record<
  Role,
  {
    legacy: "read" | "write" | "admin";
    pull: boolean;
    triage: boolean;
    push: boolean;
    maintain: boolean;
    admin: boolean;
  }
> = {
  read: { legacy: "read", pull: true, triage: false, push: false, maintain: false, admin: false },
  triage: { legacy: "read", pull: true, triage: true, push: false, maintain: false, admin: false },
  write: { legacy: "write", pull: true, triage: true, push: true, maintain: false, admin: false },
  maintain: { legacy: "write", pull: true, triage: true, push: true, maintain: true, admin: false },
  admin: { legacy: "admin", pull: true, triage: true, push: true, maintain: true, admin: true },
};

export const REACTIONS: ReactionContent[] = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];
export const MAX_BODY = 65536;
export const MAX_TITLE = 256;
const MAX_SUB_ISSUES = 100;
export const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The world's state and the rules of GitHub's writes, shared by the HTTP stand-in and the in-memory fake. */
export class GitHubWorld {
  readonly appId: number;
  readonly appSlug: string;
  /** `${appSlug}[bot]` */
  readonly botLogin: string;
  /** Every request that GitHub would reject (or a hard GitHub limit hit), as readable strings. */
  violations: string[] = [];
  protected readonly repos = new Map<string, RepoState>();
  protected readonly users = new Map<string, { id: number; login: string }>();
  protected nextIds: Record<keyof typeof FIRST_IDS, number> = { ...FIRST_IDS };
  protected readonly startedAt = nowIso();

  constructor(opts: { appId?: number; appSlug?: string } = {}) {
    this.appId = opts.appId ?? 1;
    this.appSlug = opts.appSlug ?? "config-triage";
    this.botLogin = `${this.appSlug}[bot]`;
  }

  /** The app's bot, as the author of what the app writes. */
  get bot(): Actor {
    return { user: { login: this.botLogin, type: "Bot" }, app: { id: this.appId, slug: this.appSlug } };
  }

  // ----- seeding API -----

  addRepo(fullName: string, opts: AddRepoOptions = {}): void {
    const [owner, name] = fullName.split("/");
    if (!owner || !name) throw new Error(`addRepo: "${fullName}" is not owner/name`);
    const id = this.nextIds.repo++;
    const repo: RepoState = {
      id,
      node_id: nodeId("R", id),
      owner,
      name,
      fullName: `${owner}/${name}`,
      private: opts.private ?? false,
      defaultBranch: opts.defaultBranch ?? "main",
      installationId: opts.installationId ?? 1,
      files: new Map(Object.entries(opts.files ?? {}).map(([p, t]) => [p.replace(/^\/+/, ""), t])),
      fileDates: new Map(Object.keys(opts.files ?? {}).map((p) => [p.replace(/^\/+/, ""), nowIso()])),
      collaborators: new Map(),
      labels: new Map(),
      milestones: [],
      checkRuns: [],
      issues: [],
      createdAt: nowIso(),
      issueTypes: opts.issueTypes?.map((name, i) => ({
        id: 4_100_001 + i,
        node_id: nodeId("IT", 4_100_001 + i),
        name,
        color: ["yellow", "red", "blue", "green"][i % 4],
      })),
      dependencies: opts.dependencies ?? "on",
    };
    for (const [login, role] of Object.entries(opts.collaborators ?? {}))
      repo.collaborators.set(login.toLowerCase(), { login, role });
    this.repos.set(repo.fullName.toLowerCase(), repo);
  }

  addIssue(fullName: string, partial: Partial<StandInIssue> & { title: string }): StandInIssue {
    const repo = this.mustRepo(fullName);
    const now = nowIso();
    const id = partial.id ?? this.nextIds.issue++;
    if (partial.id !== undefined && partial.id >= this.nextIds.issue) this.nextIds.issue = partial.id + 1;
    const issue: StandInIssue = {
      id,
      node_id: partial.node_id ?? nodeId(partial.pull_request ? "PR" : "I", repo.id, id),
      number: partial.number ?? this.nextNumber(repo),
      title: partial.title,
      body: partial.body ?? null,
      state: partial.state ?? "open",
      state_reason: partial.state_reason ?? null,
      labels: [...(partial.labels ?? [])],
      assignees: [...(partial.assignees ?? [])],
      milestone: partial.milestone ?? null,
      user: partial.user ?? { login: "octocat", type: "User" },
      performed_via_github_app: partial.performed_via_github_app ?? null,
      sub_issues: [...(partial.sub_issues ?? [])],
      parent: partial.parent ?? null,
      blocked_by: [...(partial.blocked_by ?? [])],
      type: partial.type ?? null,
      comments: [],
      reactions: (partial.reactions ?? []).map((r) => this.normalizeReaction(r)),
      pull_request: partial.pull_request,
      created_at: partial.created_at ?? now,
      updated_at: partial.updated_at ?? now,
      closed_at: partial.closed_at ?? (partial.state === "closed" ? now : null),
      closed_by: partial.closed_by ?? null,
    };
    if (issue.pull_request === undefined) delete issue.pull_request;
    if (repo.issues.some((i) => i.number === issue.number))
      throw new Error(`addIssue: ${fullName}#${issue.number} exists`);
    for (const l of issue.labels) this.ensureLabel(repo, l);
    repo.issues.push(issue);
    for (const c of partial.comments ?? []) this.addComment(fullName, issue.number, c);
    if (issue.parent !== null) {
      const parent = this.findIssueById(issue.parent);
      if (parent && !parent.issue.sub_issues.includes(issue.id)) parent.issue.sub_issues.push(issue.id);
    }
    for (const childId of issue.sub_issues) {
      const child = this.findIssueById(childId);
      if (child) child.issue.parent = issue.id;
    }
    return issue;
  }

  addComment(
    fullName: string,
    issueNumber: number,
    partial: Partial<StandInComment> & { body: string },
  ): StandInComment {
    const repo = this.mustRepo(fullName);
    const issue = repo.issues.find((i) => i.number === issueNumber);
    if (!issue) throw new Error(`addComment: ${fullName}#${issueNumber} does not exist`);
    const now = nowIso();
    const id = partial.id ?? this.nextIds.comment++;
    if (partial.id !== undefined && partial.id >= this.nextIds.comment) this.nextIds.comment = partial.id + 1;
    const comment: StandInComment = {
      id,
      node_id: partial.node_id ?? nodeId("IC", repo.id, id),
      body: partial.body,
      user: partial.user ?? { login: "octocat", type: "User" },
      performed_via_github_app: partial.performed_via_github_app ?? null,
      created_at: partial.created_at ?? now,
      updated_at: partial.updated_at ?? now,
      reactions: (partial.reactions ?? []).map((r) => this.normalizeReaction(r)),
    };
    issue.comments.push(comment);
    return comment;
  }

  addMilestone(
    fullName: string,
    m: { title: string; description?: string; state?: "open" | "closed"; due_on?: string },
  ): MilestoneState {
    const repo = this.mustRepo(fullName);
    const id = this.nextIds.milestone++;
    const milestone: MilestoneState = {
      id,
      node_id: nodeId("MI", repo.id, id),
      number: repo.milestones.length + 1,
      title: m.title,
      description: m.description ?? null,
      state: m.state ?? "open",
      due_on: m.due_on ?? null,
      created_at: nowIso(),
    };
    repo.milestones.push(milestone);
    return milestone;
  }

  repo(fullName: string): RepoState | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  issue(fullName: string, number: number): StandInIssue | undefined {
    return this.repos.get(fullName.toLowerCase())?.issues.find((i) => i.number === number);
  }

  issues(fullName: string): StandInIssue[] {
    return [...(this.repos.get(fullName.toLowerCase())?.issues ?? [])].sort((a, b) => a.number - b.number);
  }

  transferIssue(fromFullName: string, number: number, toFullName: string): StandInIssue {
    const from = this.mustRepo(fromFullName);
    const to = this.mustRepo(toFullName);
    const issue = from.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`transferIssue: ${fromFullName}#${number} does not exist`);
    from.issues = from.issues.filter((i) => i !== issue);
    issue.number = this.nextNumber(to);
    for (const l of issue.labels) this.ensureLabel(to, l);
    to.issues.push(issue);
    this.touch(issue);
    return issue;
  }

  setFile(fullName: string, path: string, text: string | null): void {
    const repo = this.mustRepo(fullName);
    const p = path.replace(/^\/+/, "");
    if (text === null) repo.files.delete(p);
    else repo.files.set(p, text);
    repo.fileDates.set(p, nowIso());
  }

  // ----- helpers -----

  protected mustRepo(fullName: string): RepoState {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`unknown repo ${fullName}: call addRepo first`);
    return repo;
  }

  protected nextNumber(repo: RepoState): number {
    return repo.issues.reduce((m, i) => Math.max(m, i.number), 0) + 1;
  }

  protected normalizeReaction(r: StandInReaction): StandInReaction {
    return {
      content: r.content,
      user: r.user,
      id: r.id ?? this.nextIds.reaction++,
      created_at: r.created_at ?? nowIso(),
    };
  }

  protected ensureLabel(repo: RepoState, name: string): LabelState {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      const id = this.nextIds.label++;
      label = { id, node_id: nodeId("LA", repo.id, id), name, color: "ededed", description: null };
      repo.labels.set(key, label);
    }
    return label;
  }

  protected findIssueById(id: number): { repo: RepoState; issue: StandInIssue } | undefined {
    for (const repo of this.repos.values()) {
      const issue = repo.issues.find((i) => i.id === id);
      if (issue) return { repo, issue };
    }
    return undefined;
  }

  protected userId(login: string): number {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { id: this.nextIds.user++, login };
      this.users.set(key, u);
    }
    return u.id;
  }

  /** GitHub's answer to a title past 256 characters ("title is too long"). */
  protected checkTitle(title: string): void {
    if (title.length > MAX_TITLE) {
      throw new GitHubError(422, "Validation Failed", {
        errors: [
          {
            resource: "Issue",
            code: "custom",
            field: "title",
            message: `title is too long (maximum is ${MAX_TITLE} characters)`,
          },
        ],
        violation: `title is ${title.length} characters; GitHub's limit is ${MAX_TITLE}`,
      });
    }
  }

  protected checkBody(text: unknown, resource: string): void {
    if (typeof text === "string" && text.length > MAX_BODY) {
      throw new GitHubError(422, "Validation Failed", {
        errors: [
          { resource, code: "custom", field: "body", message: `body is too long (maximum is ${MAX_BODY} characters)` },
        ],
        violation: `body is ${text.length} characters; GitHub's limit is ${MAX_BODY}`,
      });
    }
  }

  /** The milestone a write names by number; GitHub refuses an unknown one with 422. */
  protected milestoneOf(repo: RepoState, v: unknown): number | null {
    if (v === undefined || v === null) return null;
    const m = repo.milestones.find((x) => x.number === Number(v));
    if (!m) {
      throw new GitHubError(422, "Validation Failed", {
        errors: [{ resource: "Issue", code: "invalid", field: "milestone", value: v }],
      });
    }
    return m.number;
  }

  protected labelNames(v: unknown): string[] {
    if (!Array.isArray(v)) return [];
    return v
      .map((x) => (typeof x === "string" ? x : String((x as { name?: unknown }).name ?? "")))
      .filter((x) => x !== "");
  }

  protected setLabels(repo: RepoState, issue: StandInIssue, names: string[]): void {
    const seen = new Set<string>();
    issue.labels = [];
    for (const n of names) {
      const l = this.ensureLabel(repo, n);
      if (seen.has(l.name.toLowerCase())) continue;
      seen.add(l.name.toLowerCase());
      issue.labels.push(l.name);
    }
  }

  protected touch(issue: StandInIssue): void {
    issue.updated_at = nowIso();
  }

  /** Links child under parent with GitHub's rules (REST's add-sub-issue and GraphQL's addSubIssue/parentIssueId). */
  protected linkSubIssue(
    parent: StandInIssue,
    child: StandInIssue,
    replaceParent: boolean,
    fail: (message: string) => never,
  ): void {
    if (child.id === parent.id) fail("An issue cannot be a sub-issue of itself");
    if (child.pull_request) fail("Pull requests cannot be sub-issues");
    if (parent.sub_issues.includes(child.id)) fail("Issue is already a sub-issue of this issue");
    if (child.parent !== null && !replaceParent)
      fail("Issue may not contain duplicate sub-issues and Sub issue may only have one parent");
    if (parent.sub_issues.length >= MAX_SUB_ISSUES) fail(`Parent cannot have more than ${MAX_SUB_ISSUES} sub-issues`);
    for (let p = parent.parent; p !== null; p = this.findIssueById(p)?.issue.parent ?? null)
      if (p === child.id) fail("Sub-issues cannot form a cycle");
    if (child.parent !== null) {
      const old = this.findIssueById(child.parent);
      if (old) old.issue.sub_issues = old.issue.sub_issues.filter((id) => id !== child.id);
    }
    parent.sub_issues.push(child.id);
    child.parent = parent.id;
    this.touch(parent);
  }

  // ----- writes and reads with GitHub's rules (the REST handlers and the fake both call these) -----

  /** The repository `owner/name`; 404 when there is none. */
  repoNamed(fullName: string): RepoState {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new GitHubError(404, "Not Found");
    return repo;
  }

  /** Issue `number` of the repository; 404 when there is none. */
  issueNumbered(repo: RepoState, number: number): StandInIssue {
    const issue = repo.issues.find((i) => i.number === number);
    if (!issue) throw new GitHubError(404, "Not Found");
    return issue;
  }

  /** The comment with this id in the repository; 404 when there is none. */
  commentWithId(repo: RepoState, id: number): { issue: StandInIssue; comment: StandInComment } {
    for (const issue of repo.issues) {
      const comment = issue.comments.find((c) => c.id === id);
      if (comment) return { issue, comment };
    }
    throw new GitHubError(404, "Not Found");
  }

  /**
   * Opens an issue as `actor` (`POST /repos/{o}/{r}/issues`): a blank or long title and a long body are refused, an
   * unknown milestone is refused, and a type the repository does not have is dropped silently.
   */
  createIssue(
    repo: RepoState,
    f: {
      title: string;
      body?: string | null;
      labels?: string[];
      assignees?: string[];
      milestone?: unknown;
      type?: unknown;
    },
    actor: Actor,
  ): StandInIssue {
    if (f.title.trim() === "") {
      throw new GitHubError(422, "Validation Failed", {
        errors: [{ resource: "Issue", code: "missing_field", field: "title" }],
        violation: "body/title must not be blank",
      });
    }
    this.checkTitle(f.title);
    this.checkBody(f.body, "Issue");
    const type =
      typeof f.type === "string"
        ? repo.issueTypes?.find((t) => t.name.toLowerCase() === String(f.type).toLowerCase())?.name
        : undefined;
    return this.addIssue(repo.fullName, {
      title: f.title,
      body: typeof f.body === "string" ? f.body : null,
      labels: f.labels ?? [],
      assignees: f.assignees ?? [],
      type: type ?? null,
      milestone: this.milestoneOf(repo, f.milestone),
      user: actor.user,
      performed_via_github_app: actor.app,
    });
  }

  /** Closes (with a reason, `completed` by default) or reopens an issue, as `actor`. */
  setIssueState(issue: StandInIssue, state: "open" | "closed", reason: string | null | undefined, actor: Actor): void {
    if (state !== issue.state) {
      issue.state = state;
      if (state === "closed") {
        issue.closed_at = nowIso();
        issue.closed_by = actor.user.login;
        issue.state_reason = reason ?? "completed";
      } else {
        issue.closed_at = null;
        issue.closed_by = null;
        issue.state_reason = reason ?? "reopened";
      }
    } else if (reason !== undefined) {
      issue.state_reason = reason;
    }
    this.touch(issue);
  }

  /** Rewrites an issue's body (at most 65,536 characters). */
  setIssueBody(issue: StandInIssue, body: string | null): void {
    this.checkBody(body, "Issue");
    issue.body = body;
    this.touch(issue);
  }

  /** Comments on an issue as `actor` (at most 65,536 characters). */
  createComment(repo: RepoState, issue: StandInIssue, body: string, actor: Actor): StandInComment {
    this.checkBody(body, "IssueComment");
    const comment = this.addComment(repo.fullName, issue.number, {
      body,
      user: actor.user,
      performed_via_github_app: actor.app,
    });
    this.touch(issue);
    return comment;
  }

  /** Rewrites a comment's body (at most 65,536 characters). */
  updateComment(comment: StandInComment, body: string): void {
    this.checkBody(body, "IssueComment");
    comment.body = body;
    comment.updated_at = nowIso();
  }

  /** Takes a label off an issue; 404 "Label does not exist" when it is not on it. */
  removeLabel(issue: StandInIssue, name: string): void {
    const key = name.toLowerCase();
    if (!issue.labels.some((l) => l.toLowerCase() === key)) throw new GitHubError(404, "Label does not exist");
    issue.labels = issue.labels.filter((l) => l.toLowerCase() !== key);
    this.touch(issue);
  }

  /** Makes issue `childId` (an id, not a number) a sub-issue of `parent`, with GitHub's rules. */
  addSubIssue(repo: RepoState, parent: StandInIssue, childId: number, replaceParent = false): void {
    const found = this.findIssueById(childId);
    if (!found || found.repo.owner.toLowerCase() !== repo.owner.toLowerCase()) {
      const byNumber = repo.issues.some((i) => i.number === childId);
      throw new GitHubError(404, "Not Found", byNumber ? { hint: "sub_issue_id is the issue id, not its number" } : {});
    }
    this.linkSubIssue(parent, found.issue, replaceParent, (message) => {
      throw new GitHubError(422, "Validation Failed", {
        errors: [{ resource: "Issue", code: "custom", field: "sub_issue_id", message }],
      });
    });
  }

  /** The sub-issues of an issue, in the order they were added. */
  subIssuesOf(issue: StandInIssue): Array<{ repo: RepoState; issue: StandInIssue }> {
    return issue.sub_issues
      .map((id) => this.findIssueById(id))
      .filter((x): x is { repo: RepoState; issue: StandInIssue } => !!x);
  }

  /** The issues that block `issue`; 404 on a GitHub without issue dependencies. */
  blockersOf(repo: RepoState, issue: StandInIssue): Array<{ repo: RepoState; issue: StandInIssue }> {
    if (repo.dependencies === "absent") throw new GitHubError(404, "Not Found");
    return (issue.blocked_by ?? [])
      .map((id) => this.findIssueById(id))
      .filter((x): x is { repo: RepoState; issue: StandInIssue } => !!x);
  }

  /**
   * Records that `issue` is blocked by issue `blockingId` (an id, not a number, of the same owner): at most 50
   * blockers; a link sent twice is refused and counted as a violation. 404 on a GitHub without issue dependencies,
   * 403 for a token that may not write them.
   */
  addBlockedBy(repo: RepoState, issue: StandInIssue, blockingId: number): void {
    if (repo.dependencies === "absent") throw new GitHubError(404, "Not Found");
    if (repo.dependencies === "forbidden") throw new GitHubError(403, "Resource not accessible by integration");
    const found = this.findIssueById(blockingId);
    if (!found || found.repo.owner.toLowerCase() !== repo.owner.toLowerCase()) {
      const byNumber = repo.issues.some((i) => i.number === blockingId);
      throw new GitHubError(404, "Not Found", byNumber ? { hint: "issue_id is the issue id, not its number" } : {});
    }
    const invalid = (message: string) =>
      new GitHubError(422, "Validation Failed", {
        errors: [{ resource: "IssueDependency", code: "custom", field: "issue_id", message }],
      });
    if (found.issue.id === issue.id) throw invalid("an issue cannot block itself");
    issue.blocked_by ??= [];
    if (issue.blocked_by.includes(blockingId)) {
      this.violations.push(
        `POST dependencies/blocked_by: #${found.issue.number} already blocks #${issue.number} (sent twice)`,
      );
      throw invalid("the dependency already exists");
    }
    if (issue.blocked_by.length >= 50) throw invalid("an issue can be blocked by at most 50 issues");
    issue.blocked_by.push(blockingId);
    this.touch(issue);
  }

  /**
   * The issues of a repository as `GET /repos/{o}/{r}/issues` filters and sorts them: `state` (open by default),
   * `labels`, `creator`, `assignee`, `since`, `sort` (created by default) and `direction` (desc by default).
   */
  listIssues(repo: RepoState, q: Record<string, string | undefined>): StandInIssue[] {
    const state = q.state ?? "open";
    const wanted = (q.labels ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    let list = repo.issues.filter((i) => state === "all" || i.state === state);
    if (wanted.length) list = list.filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)));
    const { creator, assignee, since } = q;
    if (creator) list = list.filter((i) => i.user.login.toLowerCase() === creator.toLowerCase());
    if (assignee === "none") list = list.filter((i) => i.assignees.length === 0);
    else if (assignee === "*") list = list.filter((i) => i.assignees.length > 0);
    else if (assignee) list = list.filter((i) => i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase()));
    if (since) list = list.filter((i) => i.updated_at >= since);
    const sort = q.sort ?? "created";
    const dir = (q.direction ?? "desc") === "asc" ? 1 : -1;
    const key = (i: StandInIssue): number | string =>
      sort === "comments" ? i.comments.length : sort === "updated" ? i.updated_at : i.created_at;
    return [...list].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.number - b.number) * dir;
    });
  }

  /** Milestones by `state` (open by default), by due date (`direction`, asc by default), undated ones last. */
  listMilestones(repo: RepoState, state = "open", direction = "asc"): MilestoneState[] {
    const list = repo.milestones.filter((m) => state === "all" || m.state === state);
    const dir = direction === "asc" ? 1 : -1;
    return [...list].sort((a, b) =>
      a.due_on === b.due_on ? a.number - b.number : !a.due_on ? 1 : !b.due_on ? -1 : a.due_on < b.due_on ? -dir : dir,
    );
  }

  /**
   * A user's permission on the repository as GitHub answers it: `permission` is the legacy base role
   * (admin/write/read/none; maintain shows as write, triage as read), `role_name` the real role. A non-collaborator on
   * a public repository reads; on a private one, none. A login that cannot be a GitHub user gets 404. The owner is
   * admin.
   */
  permissionOf(
    repo: RepoState,
    login: string,
  ): { permission: string; role_name: string; login: string; permissions: Record<string, boolean> } {
    if (!LOGIN_RE.test(login) && !/^[A-Za-z0-9-]+\[bot\]$/.test(login)) throw new GitHubError(404, "Not Found");
    const collab = repo.collaborators.get(login.toLowerCase());
    const role: Role | "none" =
      collab?.role ?? (login.toLowerCase() === repo.owner.toLowerCase() ? "admin" : repo.private ? "none" : "read");
    const permissions =
      role === "none"
        ? { pull: false, triage: false, push: false, maintain: false, admin: false }
        : (({ legacy: _l, ...p }) => p)(ROLE_PERMISSIONS[role]);
    const permission = role === "none" ? "none" : ROLE_PERMISSIONS[role].legacy;
    return { permission, role_name: role, login: collab?.login ?? login, permissions };
  }

  /** A reaction by `login`; the same user's same reaction again is the one already there (`created` false). */
  react(
    target: { reactions: StandInReaction[] },
    content: string,
    login: string,
  ): { reaction: StandInReaction; created: boolean } {
    const existing = target.reactions.find((r) => r.content === content && r.user === login);
    if (existing) return { reaction: existing, created: false };
    const reaction = this.normalizeReaction({ content, user: login });
    target.reactions.push(reaction);
    return { reaction, created: true };
  }
}
