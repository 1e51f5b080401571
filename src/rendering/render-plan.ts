import { problemKind, type Problem } from "../domain/diagnosis/evaluate.js";
import type { ProposalItem, Proposal } from "../domain/follow-up-plan/to-proposal.js";
import { code } from "./escape-markdown.js";

/** The proposal's section of the diagnosis comment ("Plan"): what `/triage apply` would create, what exists. */
export function renderProposalSection(proposal: Proposal): string {
  const create = proposal.items.filter((i) => i.action === "create");
  const rest = proposal.items.filter((i) => i.action !== "create");
  const lines = [`#### Plan ${code(proposal.id)}`];
  if (create.length) {
    lines.push(
      `\`/triage apply ${proposal.id}\` would create:`,
      "",
      "| Follow-up | Title | Blocked by | Milestone | Type | Labels | Assignees |",
      "|---|---|---|---|---|---|---|",
      ...create.map(proposalRow),
    );
    const notes = create.flatMap((i) => (i.notes ?? []).map((n) => `- ${code(i.template)}: ${n}; it opens without.`));
    if (notes.length) lines.push("", ...notes);
  } else {
    lines.push("Nothing to create: every planned follow-up exists.");
  }
  if (rest.length) {
    lines.push(
      "",
      "Already there (not created again):",
      ...rest.map((i) => `- ${code(i.template)}: #${i.number}${i.action === "rejected" ? " (rejected)" : ""}`),
    );
  }
  return lines.join("\n");
}

/**
 * What the follow-ups opened now did not get that their templates ask for (a milestone none matched or GitHub dropped,
 * a type, a dependency GitHub refused), one line each; empty when they got everything.
 */
export function renderNotSetSection(items: string[]): string {
  if (!items.length) return "";
  return [
    "#### Not set on the follow-ups",
    "The follow-ups are open: set these by hand. A dependency that could not be recorded is tried again by " +
      "`/triage recheck`.",
    ...items.map((i) => `- ${i}`),
  ].join("\n");
}

/** One row of the proposal's table; `—` for an empty cell. */
function proposalRow(i: ProposalItem): string {
  // Names people wrote (labels, milestones) must not end the table's cell.
  const cell = (x: string) => code(x).replace(/\|/g, "\\|");
  const list = (xs: string[] | undefined) => (xs ?? []).map(cell).join(", ") || "—";
  const one = (x: string | undefined) => (x ? cell(x) : "—");
  const title = i.title.replace(/\|/g, "\\|");
  const cells = [
    code(i.template),
    title,
    list(i.blockedBy),
    one(i.milestone),
    one(i.type),
    list(i.labels),
    list(i.assignees),
  ];
  return `| ${cells.join(" | ")} |`;
}

/**
 * The "changed since the last check" section, from the problem keys the last check stored. `previousKinds`: the kinds
 * of problem the last check could report (`recordedKinds`); a problem of another kind was not checked then, so it is
 * not called new (the first check after an upgrade that adds, say, drift warnings).
 */
export function renderChangesSection(
  previous: string[] | undefined,
  problems: Problem[],
  previousKinds?: string[],
): string {
  const lines = ["#### Changed since the last check"];
  if (!previous) return [...lines, "This is the first check."].join("\n");
  const now = problems.map((p) => p.key);
  const fixed = previous.filter((k) => !now.includes(k));
  const checkedBefore = (p: Problem) => !previousKinds || previousKinds.includes(problemKind(p.key));
  const appeared = problems.filter((p) => !previous.includes(p.key) && checkedBefore(p));
  if (!fixed.length && !appeared.length) return [...lines, "Nothing changed since the last check."].join("\n");
  return [
    ...lines,
    ...fixed.map((k) => `- ✅ resolved: ${code(k)}`),
    ...appeared.map((p) => `- ❌ new: ${p.what}`),
  ].join("\n");
}
