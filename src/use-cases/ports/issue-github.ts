/**
 * The GitHub calls a triage run and the commands make for one issue, declared by the use cases that make them; the
 * adapters in `src/adapters/github/` implement them over REST or GraphQL, and tests pass fakes.
 */
import type { ConfigProblem } from "../../domain/config/parse-config.js";
import type { ConfigRead } from "../load-config.js";
import type { IssueType, Milestone } from "../../domain/follow-up-plan/follow-up-plan.js";

/** The parts of a GitHub comment the app reads. */
export interface GhComment {
  id: number;
  /** The GraphQL node id (REST answers carry it too). */
  node_id?: string;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** The parts of a GitHub issue the app reads. */
export interface GhIssue extends GhComment {
  number: number;
  title: string;
  state: string;
  /** `completed` or `not_planned` when closed. */
  state_reason?: string | null;
  html_url?: string;
  /** Null: none; undefined: not read (then whether a milestone or type was set is not checked). */
  milestone?: { number: number; title: string } | null;
  /** The issue type, where the repository has issue types. */
  type?: { name: string } | null;
}

export type { ConfigRead };

export interface NewIssue {
  /** The template it comes from: bodies name follow-ups of the same batch by it (see `follow-up-refs.ts`). */
  template?: string;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  /** An open milestone (REST takes its number, GraphQL its node id). */
  milestone?: Pick<Milestone, "number" | "node_id">;
  /** An issue type (REST takes its name, GraphQL its node id). */
  type?: IssueType;
}

/** A dependency to record: `blocked` waits for `blocking`, two follow-ups of the same parent. */
export interface DependencyLink {
  /** `fresh`: created by this run, so it cannot have dependencies yet (no need to read them first). */
  blocked: { number: number; id: number; fresh: boolean };
  blocking: { number: number; id: number };
}

/** What became of the dependencies of one triage. */
export interface DependencyResult {
  /** Recorded now. */
  made: DependencyLink[];
  /** Already recorded on GitHub (a run that died before writing its comment). */
  found: DependencyLink[];
  /** Refused by GitHub (no issue dependencies on this GitHub, no permission, a limit), with the reason. */
  failed: Array<{ link: DependencyLink; reason: string }>;
}

/**
 * The writes of one triage, as one batch, so a transport can send it in as few requests as GitHub allows: the
 * follow-ups (each created as a sub-issue of this issue), the links to restore, then the app's comment (rendered once
 * the new follow-ups have numbers) and closing.
 */
export interface WriteBatch {
  create: NewIssue[];
  /** Ids and numbers of existing follow-ups to link to this issue again; a failed re-link is reported, not thrown. */
  relink: Array<{ id: number; number: number; node_id?: string }>;
  /** The dependencies between follow-ups to record, given the created ones (recorded before the comment). */
  dependencies?(created: GhIssue[]): DependencyLink[];
  /**
   * The app's comment given the created follow-ups and what became of the dependencies: a new one (no id), an edit
   * (id, node_id), or nothing to write.
   */
  comment(created: GhIssue[], dependencies: DependencyResult): CommentWrite | undefined;
  close?: "completed";
}

/** The app's comment to write: a new one (no id) or an edit of its own (id, node_id). */
export interface CommentWrite {
  id?: number;
  node_id?: string;
  body: string;
}

export interface AppliedWrites {
  created: GhIssue[];
  /** Numbers of the follow-ups that could not be linked again. */
  relinkFailed: number[];
  dependencies: DependencyResult;
}

/**
 * What a triage asks of GitHub before it decides: only reads. The CLI's `plan` and the Action give a read-only client;
 * the app, its transport (REST or GraphQL); the table tests, the in-memory fake over the stand-in's world.
 */
export interface TriageReads {
  readonly owner: string;
  readonly repo: string;
  /** The config's path when it is not `.github/config-triage.yml` (the Action's `config-path`), for messages. */
  readonly configFile?: string;
  readConfig(): Promise<ConfigRead>;
  /** The config file's own text, to put line numbers on problems; undefined if it cannot be read. */
  readConfigText(): Promise<string | undefined>;
  /** Templates the repository adds or overrides; one with `problem` was not read (too many, too large). */
  readRepoTemplates(): Promise<RepoTemplateFile[]>;
  /** A file of the default branch with the date of its last commit (a snapshot's age); undefined when absent. */
  readRepoFile(path: string): Promise<{ text: string; updatedAt?: string } | undefined>;
  listComments(): Promise<GhComment[]>;
  listSubIssues(): Promise<GhIssue[]>;
  /** Issues the app opened in the repository since the parent was opened, newest first (orphans of a dead run). */
  listOwnIssues(): Promise<GhIssue[]>;
  /** Open milestones of the repository. */
  listMilestones(): Promise<Milestone[]>;
  /** Issue types of the repository; undefined where it has none. */
  listIssueTypes(): Promise<IssueType[] | undefined>;
}

/** What a triage asks of GitHub: the reads, its one comment, and its writes as one batch (see `WriteBatch`). */
export interface TriageGitHub extends TriageReads {
  /** Creates a comment. Never retried by the client: a retried POST could post twice (the run re-reads instead). */
  createComment(body: string): Promise<GhComment>;
  updateComment(id: number, body: string): Promise<void>;
  /** A fix follow-up: its ticked body, and closed as completed when its checks pass (one request). */
  updateOtherIssue(number: number, update: { body?: string; close?: "completed"; reopen?: boolean }): Promise<void>;
  /** The one-line comment on a fix follow-up the app closed. Never retried by the client, like `createComment`. */
  commentOnOther(number: number, body: string): Promise<void>;
  /**
   * Applies a triage's writes (follow-ups, links, dependencies, the comment, closing): over REST one request per
   * write, over GraphQL one document per phase.
   */
  applyWrites(batch: WriteBatch): Promise<AppliedWrites>;
}

/**
 * Everything the app asks of GitHub for one issue: what a triage asks (`TriageGitHub`) and what the slash-commands
 * and the closed loop add. The adapters (REST, GraphQL) implement it; each use case depends on its own narrow part.
 */
export interface IssueGitHub extends TriageGitHub {
  readonly number: number;
  /** Creates an issue. Never retried by the client, like `createComment`. */
  createIssue(issue: NewIssue): Promise<GhIssue>;
  addSubIssue(childId: number): Promise<void>;
  /** The issues that block issue `number` (its recorded dependencies). */
  listBlockedBy(number: number): Promise<Array<{ id: number; number: number }>>;
  /** Records that issue `number` is blocked by the issue with id `blockingId`. Never retried by the client. */
  addBlockedBy(number: number, blockingId: number): Promise<void>;
  closeIssue(reason: "completed" | "not_planned"): Promise<void>;
}

/** A repository template as read, or the reason it was not read. */
export interface RepoTemplateFile {
  /** The template's name: the file name without `.md`. */
  name: string;
  file: string;
  text: string;
  problem?: ConfigProblem;
}
