import type { AppliedWrites, ConfigRead, GhComment, GhIssue, RepoTemplateFile, WriteBatch } from "./issue-github.js";
import type { IssueType, Milestone } from "../../domain/follow-up-plan/follow-up-plan.js";

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
  createComment(body: string): Promise<GhComment>;
  updateComment(id: number, body: string): Promise<void>;
  /** A fix follow-up: its ticked body, and closed as completed when its checks pass (one request). */
  updateOtherIssue(number: number, update: { body?: string; close?: "completed"; reopen?: boolean }): Promise<void>;
  /** The one-line comment on a fix follow-up the app closed. */
  commentOnOther(number: number, body: string): Promise<void>;
  /** Applies a triage's writes: follow-ups, links, dependencies, the comment, closing. */
  applyWrites(batch: WriteBatch): Promise<AppliedWrites>;
}
