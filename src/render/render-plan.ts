import { problemKind, type Problem } from "../diagnosis/evaluate.js";
import type { PlanRecord } from "../plan/summarize-plan.js";
import { code } from "./escape-markdown.js";

/** The plan section of the diagnosis comment: what `/triage apply` would create, and what exists already. */
export function renderPlanSection(plan: PlanRecord): string {
  const create = plan.items.filter((i) => i.action === "create");
  const rest = plan.items.filter((i) => i.action !== "create");
  const lines = [`#### Plan ${code(plan.id)}`];
  if (create.length) {
    lines.push(
      `\`/triage apply ${plan.id}\` would create:`,
      "",
      "| Follow-up | Title | Labels | Assignees |",
      "|---|---|---|---|",
      ...create.map((i) => `| ${code(i.template)} | ${i.title.replace(/\|/g, "\\|")} | ${i.labels.map(code).join(", ") || "—"} | ${i.assignees.map((a) => code(a)).join(", ") || "—"} |`),
    );
  } else {
    lines.push("Nothing to create: every planned follow-up exists.");
  }
  if (rest.length) {
    lines.push("", "Already there (not created again):", ...rest.map((i) => `- ${code(i.template)}: #${i.number}${i.action === "rejected" ? " (rejected)" : ""}`));
  }
  return lines.join("\n");
}

/**
 * The "changed since the last check" section, from the problem keys the last check stored. `previousKinds`: the kinds
 * of problem the last check could report (`recordedKinds`); a problem of another kind was not checked then, so it is
 * not called new (the first check after an upgrade that adds, say, drift warnings).
 */
export function renderChangesSection(previous: string[] | undefined, problems: Problem[], previousKinds?: string[]): string {
  const lines = ["#### Changed since the last check"];
  if (!previous) return [...lines, "This is the first check."].join("\n");
  const now = problems.map((p) => p.key);
  const fixed = previous.filter((k) => !now.includes(k));
  const checkedBefore = (p: Problem) => !previousKinds || previousKinds.includes(problemKind(p.key));
  const appeared = problems.filter((p) => !previous.includes(p.key) && checkedBefore(p));
  if (!fixed.length && !appeared.length) return [...lines, "Nothing changed since the last check."].join("\n");
  return [...lines, ...fixed.map((k) => `- ✅ resolved: ${code(k)}`), ...appeared.map((p) => `- ❌ new: ${p.what}`)].join("\n");
}
