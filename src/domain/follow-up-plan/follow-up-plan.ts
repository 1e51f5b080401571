/**
 * The follow-up plan as plain data: what a triage run will write (follow-ups to open and link, whether to close the
 * parent), and the repository facts it is built from. `rendering/build-follow-up-plan.ts` builds it from the templates.
 */
import type { ConfigProblem } from "../config/parse-config.js";
import type { RenderedIssue } from "../config/follow-up-template.js";
import type { TemplateLink } from "./check-dependencies.js";
import type { FixRecord } from "./decide-fix-follow-ups.js";

/** An open milestone of the repository, as the app reads it. */
export interface Milestone {
  number: number;
  title: string;
  /** ISO 8601, or null when it has no due date. */
  due_on?: string | null;
  /** GraphQL node id (GraphQL's `createIssue` takes `milestoneId`). */
  node_id?: string;
}

/** An issue type available in the repository. */
export interface IssueType {
  name: string;
  node_id?: string;
}

/** The issue being triaged. */
export interface ParentIssue {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  url: string;
  /** As the event saw it; a closed issue is not closed again. */
  state?: string;
}

/** A follow-up issue that already exists (found through the parent's sub-issues). */
export interface ExistingFollowUp {
  template: string;
  id: number;
  /** Its GraphQL node id, when known (re-linking by it cannot hit another issue after a transfer). */
  node_id?: string;
  number: number;
  title: string;
  state: "open" | "closed";
  /** Whether it is linked to the parent as a sub-issue. */
  linked: boolean;
  /** Its milestone's title and its type, where the read shows them. */
  milestone?: string;
  type?: string;
  /** Its body, where the read shows it (a fix follow-up's checklist is ticked in it). */
  body?: string;
  /** The problems a fix follow-up was opened for (its marker's `fixes`). */
  fixes?: FixRecord[];
}

export interface NewFollowUp extends RenderedIssue {
  template: string;
  /** Templates whose follow-up blocks this one and will exist (opened by this run, or already there). */
  blockedBy: string[];
  /** The milestone it opens in (from the template's `milestone:`). */
  milestone?: Milestone;
  /** The issue type it opens with (from the template's `type:`). */
  type?: IssueType;
  /** Why a milestone or type the template asks for will not be set (it opens without). */
  notes: string[];
}

/** What the repository offers for `milestone:` and `type:`, read only when an enabled template asks for one. */
export interface RepoStructure {
  /** Open milestones. */
  milestones: Milestone[];
  /** Issue types; undefined where the repository has none. */
  issueTypes?: IssueType[];
}

/** Everything a triage run will write, as plain data. */
export interface FollowUpPlan {
  create: NewFollowUp[];
  /** Existing follow-ups that lost their sub-issue link (a run that died after creating them). */
  link: ExistingFollowUp[];
  existing: ExistingFollowUp[];
  /** Dependencies between follow-ups of this parent that exist or are created now (template names). */
  links: TemplateLink[];
  /** Close the parent as completed. */
  close: boolean;
  outcome: "open" | "closed" | "comment-only";
}

export type FollowUpPlanResult = { ok: true; plan: FollowUpPlan } | { ok: false; problems: ConfigProblem[] };
