import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { Diagnosis } from "../diagnosis/evaluate.js";
import type { ExistingFollowUp, NewFollowUp } from "./follow-up-plan.js";

/** How a maintainer's review left a follow-up. Absent: not reviewed yet. */
export type Review = "approved" | "rejected";
/** What the diagnosis comment shows for each follow-up. */
export type ReviewState = "open" | "approved" | "rejected" | "done";

/** One follow-up in a proposal: to be created, or already there. */
export interface ProposalItem {
  template: string;
  title: string;
  labels: string[];
  assignees: string[];
  /** `create`: apply opens it; otherwise it exists (or was rejected) and apply leaves it alone. */
  action: "create" | "exists" | "rejected";
  number?: number;
  /** Templates whose follow-up blocks this one (recorded as GitHub issue dependencies); absent when none. */
  blockedBy?: string[];
  /** The milestone's title it opens in; absent when none. */
  milestone?: string;
  /** Its issue type; absent when none. */
  type?: string;
  /** Why a milestone or type the template asks for will not be set. */
  notes?: string[];
}

/**
 * The proposal: the follow-up plan as shown to maintainers, remembered in the diagnosis marker so `apply` can tell
 * whether it is still current.
 */
export interface Proposal {
  /** Short id: a hash of everything below. */
  id: string;
  /** Hash of the validated configuration the plan was made from. */
  config: string;
  /** The problem keys of the diagnosis the plan was made from. */
  problems: string[];
  items: ProposalItem[];
}

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** The review state shown for a follow-up: a rejection always wins; a closed follow-up is done. */
export function reviewState(
  f: { template: string; state: "open" | "closed" },
  reviews: Record<string, Review>,
): ReviewState {
  const review = reviews[f.template];
  if (review === "rejected") return "rejected";
  if (f.state === "closed") return "done";
  return review === "approved" ? "approved" : "open";
}

/**
 * The proposal for a follow-up plan, with a stable id: same config, same diagnosis and same follow-ups give the same
 * id.
 */
export function toProposal(input: {
  config: Config;
  diagnosis: Diagnosis;
  create: NewFollowUp[];
  existing: ExistingFollowUp[];
  reviews: Record<string, Review>;
}): Proposal {
  const items: ProposalItem[] = [
    ...input.create.map(
      (d): ProposalItem => ({
        template: d.template,
        title: d.title,
        labels: d.labels,
        assignees: d.assignees,
        action: "create",
        // Absent rather than empty, so plans without any of these keep the ids they had.
        ...(d.blockedBy.length ? { blockedBy: d.blockedBy } : {}),
        ...(d.milestone ? { milestone: d.milestone.title } : {}),
        ...(d.type ? { type: d.type.name } : {}),
        ...(d.notes.length ? { notes: d.notes } : {}),
      }),
    ),
    ...input.existing.map(
      (e): ProposalItem => ({
        template: e.template,
        title: e.title,
        labels: [],
        assignees: [],
        action: input.reviews[e.template] === "rejected" ? "rejected" : "exists",
        number: e.number,
      }),
    ),
  ];
  const order = input.config.follow_ups.map((f) => f.template);
  items.sort((a, b) => order.indexOf(a.template) - order.indexOf(b.template));
  const config = hash(input.config).slice(0, 12);
  const problems = input.diagnosis.problems.map((p) => p.key).sort();
  // Titles of existing issues can be edited by people: they do not make a plan stale.
  const identity = {
    config,
    problems,
    items: items.map((i) => (i.action === "create" ? i : { template: i.template, action: i.action, number: i.number })),
  };
  return { id: hash(identity).slice(0, 7), config, problems, items };
}

/**
 * Why a shown plan may not be applied any more: empty when `fresh` is the plan that was shown (and, if `proposalId` was
 * given, that is its id). Each reason says what changed, in words a maintainer can check.
 */
export function staleProposalReasons(shown: Proposal | undefined, fresh: Proposal, proposalId?: string): string[] {
  if (!shown) return ["no plan has been shown on this issue yet"];
  const reasons: string[] = [];
  if (proposalId && proposalId !== shown.id)
    reasons.push(`plan \`${proposalId}\` is not the plan shown last (\`${shown.id}\`)`);
  if (shown.config !== fresh.config) reasons.push("`.github/config-triage.yml` changed");
  const fixed = shown.problems.filter((k) => !fresh.problems.includes(k));
  const appeared = fresh.problems.filter((k) => !shown.problems.includes(k));
  if (fixed.length) reasons.push(`the live check no longer finds ${fixed.map((k) => `\`${k}\``).join(", ")}`);
  if (appeared.length) reasons.push(`the live check now finds ${appeared.map((k) => `\`${k}\``).join(", ")}`);
  const parts = (i: ProposalItem) => (i.action === "create" ? PARTS.map(([, part]) => part(i)).join("|") : "");
  const line = (i: ProposalItem) => `${i.template}:${i.action}:${i.number ?? ""}:${parts(i)}`;
  const before = new Map(shown.items.map((i) => [i.template, i]));
  const after = new Map(fresh.items.map((i) => [i.template, i]));
  for (const template of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(template);
    const b = after.get(template);
    if (a && b && line(a) === line(b)) continue;
    if (!b) reasons.push(`follow-up \`${template}\` is no longer planned`);
    else if (!a) reasons.push(`follow-up \`${template}\` is now planned`);
    else if (a.action !== b.action)
      reasons.push(
        `follow-up \`${template}\` is now ` +
          `${b.action === "create" ? "missing" : b.action === "rejected" ? "rejected" : `#${b.number}`}`,
      );
    else reasons.push(`follow-up \`${template}\` changed (${changedParts(a, b)})`);
  }
  if (!reasons.length && shown.id !== fresh.id) reasons.push("the plan changed");
  return reasons;
}

/** The parts of a planned follow-up that make a shown plan stale when they change, with how a maintainer names them. */
const PARTS: Array<[string, (i: ProposalItem) => string]> = [
  ["title", (i) => i.title],
  ["labels", (i) => i.labels.join(",")],
  ["assignees", (i) => i.assignees.join(",")],
  ["dependencies", (i) => (i.blockedBy ?? []).join(",")],
  ["milestone", (i) => i.milestone ?? ""],
  ["type", (i) => i.type ?? ""],
];

/** What changed between two versions of a planned follow-up: "milestone: `Sprint 12` → none". */
function changedParts(a: ProposalItem, b: ProposalItem): string {
  const shown = (value: string) =>
    value
      ? value
          .split(",")
          .map((v) => `\`${v}\``)
          .join(", ")
      : "none";
  // Title, labels and assignees are named only; a dependency, milestone or type change says from what to what.
  const named = new Set(["title", "labels", "assignees"]);
  return PARTS.filter(([, part]) => part(a) !== part(b))
    .map(([name, part]) => (named.has(name) ? name : `${name}: ${shown(part(a))} → ${shown(part(b))}`))
    .join("; ");
}
