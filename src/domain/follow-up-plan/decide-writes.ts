import type { Config } from "../config/schema.js";
import type { Diagnosis } from "../diagnosis/diagnosis.js";
import { decideWatch, type WatchStep } from "./decide-watch.js";
import { staleProposalReasons, toProposal, type Proposal, type Review } from "./to-proposal.js";
import type { ExistingFollowUp, FollowUpPlan } from "./follow-up-plan.js";

/** What a run may write: the part of the triage's options that changes the plan (the trigger and commands differ). */
export interface WriteOptions {
  /** `create` opens the missing follow-ups; `plan` shows them with a plan id. Default: by the config's `mode`. */
  followUps?: "create" | "plan";
  /** Close the parent when every check passes and the config says so (default true). */
  mayClose?: boolean;
  /** `/triage apply [plan-id]`: create only if the plan shown last is still what a fresh plan gives. */
  apply?: { proposalId?: string };
}

/** What the triage's writes are decided from: the plan `buildFollowUpPlan` made, and what the issue remembers. */
export interface WritesInput {
  config: Config;
  diagnosis: Diagnosis;
  /** The plan as `buildFollowUpPlan` made it; it is not changed. */
  plan: FollowUpPlan;
  /** The follow-ups the app opened before. */
  existing: ExistingFollowUp[];
  reviews: Record<string, Review>;
  /** The plan the comment showed last (the diagnosis state's), for `apply`. */
  shownBefore?: Proposal;
  /** The parent's state as the event saw it. */
  parentState?: string;
  options: WriteOptions;
}

/** The writes of one triage, decided before any is made; the use case only carries them out. */
export type WritesDecision =
  /** `apply` refused: the plan shown last is not current. `fresh` is shown instead; no follow-up is opened. */
  | { kind: "stale"; reasons: string[]; fresh: Proposal }
  | {
      kind: "write";
      /** The plan to apply: its follow-ups labelled for review, none in `plan` mode, at most `max_follow_ups`. */
      plan: FollowUpPlan;
      /** The plan as a record (its id), from every follow-up the run would open. */
      fresh: Proposal;
      /** The plan to show in the comment (`plan` mode), else undefined. */
      shown?: Proposal;
      /** Set when `max_follow_ups` left follow-ups out. */
      capped?: { wanted: number; limit: number };
      /** The triage closes the parent (every check passes, the config and the run allow it). */
      close: boolean;
      /** The parent is closed after this triage (by it, or before). */
      closed: boolean;
      /** What becomes of the watch. */
      watch: WatchStep;
    };

/**
 * Decides what a triage writes from its plan. Pure. Every follow-up the app opens waits for a maintainer's review
 * (`/triage approve` takes the label off); `plan` mode opens none; `apply` refuses a plan that is no longer current;
 * `max_follow_ups` caps the rest.
 */
export function decideWrites(input: WritesInput): WritesDecision {
  const { config, diagnosis, options } = input;
  const labelled = input.plan.create.map((d) => ({ ...d, labels: [...new Set([...d.labels, config.review_label])] }));
  const fresh = toProposal({
    config,
    diagnosis,
    create: labelled,
    existing: input.existing,
    reviews: input.reviews,
  });
  if (options.apply) {
    const reasons = staleProposalReasons(input.shownBefore, fresh, options.apply.proposalId);
    if (reasons.length) return { kind: "stale", reasons, fresh };
  }
  const mode = options.apply ? "create" : (options.followUps ?? (config.mode === "auto" ? "create" : "plan"));
  const wanted = mode === "plan" ? [] : labelled;
  const limit = config.max_follow_ups;
  const capped = wanted.length > limit ? { wanted: wanted.length, limit } : undefined;
  const plan: FollowUpPlan = { ...input.plan, create: capped ? wanted.slice(0, limit) : wanted };
  const close = plan.close && options.mayClose !== false;
  const closed = close || input.parentState === "closed";
  const watch = decideWatch({ watch: config.watch, verdict: diagnosis.verdict, closed });
  return { kind: "write", plan, fresh, shown: mode === "plan" ? fresh : undefined, capped, close, closed, watch };
}
