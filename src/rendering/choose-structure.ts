import { code } from "./escape-markdown.js";
import type { IssueType, Milestone } from "../domain/follow-up-plan/follow-up-plan.js";
import { RELATIVE_MILESTONE } from "../domain/config/follow-up-template.js";

/** What a follow-up gets for `milestone:` or `type:`: the match, or why there is none (and it opens without). */
export type Choice<T> = { ok: true; value: T } | { ok: false; why: string };

/**
 * The milestone `wanted` names: an open milestone by title (exact, else ignoring case), or `next` / `next+N`: among
 * the open milestones due after `today` (YYYY-MM-DD), by due date, the first (or N after it). Never creates one.
 */
export function chooseMilestone(wanted: string, open: Milestone[], today: string): Choice<Milestone> {
  const relative = RELATIVE_MILESTONE.exec(wanted);
  if (relative) {
    const later = Number(relative[1] ?? 0);
    const due = open
      .filter((m) => m.due_on && m.due_on.slice(0, 10) > today)
      .sort((a, b) => a.due_on!.localeCompare(b.due_on!) || a.number - b.number);
    if (due[later]) return { ok: true, value: due[later] };
    const some = `only ${due.length} open milestone${due.length === 1 ? " is" : "s are"} due`;
    const have = due.length === 0 ? "no open milestone is due" : some;
    return { ok: false, why: `${have} after ${today} (\`${wanted}\` needs ${later + 1})` };
  }
  const found =
    open.find((m) => m.title === wanted) ?? open.find((m) => m.title.toLowerCase() === wanted.toLowerCase());
  if (found) return { ok: true, value: found };
  const titles = open.map((m) => code(m.title)).slice(0, 10);
  const listed = titles.length ? ` (open: ${titles.join(", ")})` : "";
  return { ok: false, why: `no open milestone is titled ${code(wanted)}${listed}` };
}

/**
 * The issue type `wanted` names (ignoring case). `available` is undefined where the repository has no issue types
 * (they belong to organisations).
 */
export function chooseIssueType(wanted: string, available: IssueType[] | undefined): Choice<IssueType> {
  if (!available) {
    const why = `this repository has no issue types (an organisation sets them up), so ${code(wanted)} cannot be set`;
    return { ok: false, why };
  }
  const found = available.find((t) => t.name.toLowerCase() === wanted.toLowerCase());
  if (found) return { ok: true, value: found };
  const names = available.map((t) => code(t.name));
  const listed = names.length ? ` (types: ${names.join(", ")})` : "";
  return { ok: false, why: `the organisation has no issue type ${code(wanted)}${listed}` };
}
