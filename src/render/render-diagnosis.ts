import type { Diagnosis, Problem, VariableResult } from "../diagnosis/evaluate.js";
import type { ValueSource } from "../diagnosis/types.js";
import { code, escapeMarkdown } from "./escape-markdown.js";
import { writeMarker } from "./markers.js";
import type { PlanRecord, Review, ReviewState } from "../plan/summarize-plan.js";

/** GitHub rejects a comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** A follow-up issue as the diagnosis comment lists it. */
export interface FollowUpRef {
  template: string;
  number: number;
  id: number;
  title: string;
  state: "open" | "closed";
  /** Shown next to the issue: open / approved / rejected / done. */
  review?: ReviewState;
}

/** What the app remembers between runs, inside its own comment. */
export interface DiagnosisState {
  v: 1;
  followUps: Array<{ template: string; number: number; id: number }>;
  problems: string[];
  /** The plan last shown by `/triage plan` (or the review-mode label), for `/triage apply` to check against. */
  plan?: PlanRecord;
  /** Maintainers' reviews of follow-ups, by template. A rejection is remembered here for good. */
  reviews?: Record<string, Review>;
}

export interface DiagnosisCommentInput {
  diagnosis: Diagnosis;
  followUps: FollowUpRef[];
  /** What happens to the issue because of this check. */
  outcome: "open" | "closed" | "comment-only";
  plan?: PlanRecord;
  reviews?: Record<string, Review>;
  /** Extra sections (changes since the last check, the plan), shown after the follow-ups. */
  sections?: string[];
}

const ICON: Record<VariableResult["status"], string> = {
  set: "✅ set",
  missing: "❌ missing",
  "wrong-source": "⚠️ wrong source",
  "cannot-check": "❔ could not check",
};

function describeSource(result: VariableResult): string {
  const s: ValueSource | undefined = result.source;
  const alias = result.foundAs && result.foundAs !== result.variable ? ` as ${code(result.foundAs)}` : "";
  if (!s) return "—";
  if (s.kind === "literal") return `literal${alias} (value not shown)`;
  return `Secret Manager ${code(s.secret)} version ${code(s.version)}${alias}`;
}

function headline(d: Diagnosis): string {
  const fails = d.problems.filter((p) => p.severity === "fail").length;
  const cannot = d.problems.filter((p) => p.severity === "cannot-check").length;
  switch (d.verdict) {
    case "pass":
      return "### ✅ config-triage: every check passes";
    case "fail":
      return `### ❌ config-triage: ${fails} problem${fails === 1 ? "" : "s"} found${cannot ? `, ${cannot} service${cannot === 1 ? "" : "s"} could not be checked` : ""}`;
    case "incomplete":
      return `### ❔ config-triage: ${cannot} service${cannot === 1 ? "" : "s"} could not be checked`;
    case "nothing-to-check":
      return "### ℹ️ config-triage: nothing to check";
  }
}

function sourceLine(d: Diagnosis, all: VariableResult[]): string {
  // Only what could be read counts as checked; the rest is listed under "Could not check".
  const results = all.filter((r) => r.status !== "cannot-check");
  const services = new Set(results.map((r) => `${r.target.environment}/${r.target.service}`)).size;
  const envs = new Set(results.map((r) => r.target.environment)).size;
  const from = d.source === "live" ? "live from Cloud Run" : "from a configuration snapshot";
  const when = d.fetchedAt.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  return `Checked ${results.length} variable${results.length === 1 ? "" : "s"} on ${services} service${services === 1 ? "" : "s"} in ${envs} environment${envs === 1 ? "" : "s"}, ${from} at ${when}. Values are never shown.`;
}

function table(results: VariableResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.target.environment} | ${code(r.target.service)} | ${code(r.variable)} | ${ICON[r.status]} | ${describeSource(r)} |`,
  );
  return ["| Environment | Service | Variable | Status | Source |", "|---|---|---|---|---|", ...rows].join("\n");
}

function problemSection(p: Problem): string {
  const where = [`project ${code(p.target.project)}`, `region ${code(p.target.region)}`];
  if (p.revision) where.push(`revision ${code(p.revision)}`);
  if (p.container) where.push(`container ${code(p.container)}`);
  const lines = [`**${p.what}** (${where.join(", ")})`, `Why it matters: ${p.why}.`];
  if (p.fix) lines.push("```sh", p.fix, "```");
  return lines.join("\n");
}

export function followUpList(followUps: FollowUpRef[]): string {
  if (!followUps.length) return "";
  return [
    "#### Follow-up issues",
    ...followUps.map(
      (f) => `- [${f.state === "closed" ? "x" : " "}] #${f.number}${f.title ? ` ${escapeMarkdown(f.title)}` : ""}${f.review ? ` — ${f.review}` : ""}`,
    ),
  ].join("\n");
}

function outcomeLine(input: DiagnosisCommentInput): string {
  switch (input.outcome) {
    case "closed":
      return "Every check passes, so this issue is closed as completed. The follow-ups above carry the long-term work.";
    case "comment-only":
      return "Every check passes. The configuration asks to leave the issue open.";
    case "open":
      if (input.diagnosis.verdict === "nothing-to-check") return "This issue stays open: there is nothing to check yet.";
      return input.diagnosis.verdict === "fail"
        ? "This issue stays open until the check passes. Fix the problems above, then comment `/triage recheck` (or remove and re-add the label) to check again."
        : "This issue stays open until every service can be checked and passes.";
  }
}

/** The diagnosis itself, in Markdown: headline, what was checked, the table, how to fix, what could not be checked. */
export function renderDiagnosisReport(d: Diagnosis): string {
  const fails = d.problems.filter((p) => p.severity === "fail");
  const cannot = d.problems.filter((p) => p.severity === "cannot-check");
  return [
    headline(d),
    d.verdict === "nothing-to-check"
      ? "No check applies: add `checks:` to `.github/config-triage.yml`, or name variables in backticks in the issue (like `JWT_SECRET_STAGING`)."
      : sourceLine(d, d.results),
    d.results.length ? table(d.results) : "",
    fails.length ? ["#### How to fix", ...fails.map(problemSection)].join("\n\n") : "",
    cannot.length ? ["#### Could not check", ...cannot.map(problemSection)].join("\n\n") : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** Renders the one diagnosis comment the app keeps on an issue (updated in place on later runs). */
export function renderDiagnosisComment(input: DiagnosisCommentInput): string {
  const { diagnosis: d } = input;
  const state: DiagnosisState = {
    v: 1,
    followUps: input.followUps.map(({ template, number, id }) => ({ template, number, id })),
    problems: d.problems.map((p) => p.key),
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.reviews && Object.keys(input.reviews).length ? { reviews: input.reviews } : {}),
  };
  const parts = [writeMarker("diagnosis", state), renderDiagnosisReport(d), followUpList(input.followUps), ...(input.sections ?? []), outcomeLine(input)];
  return fitComment(parts.filter(Boolean).join("\n\n"));
}

/** Keeps a body under GitHub's limit, saying clearly that it was cut. */
export function fitComment(body: string, limit = GITHUB_COMMENT_LIMIT): string {
  if (body.length <= limit) return body;
  const note = "\n\n> ✂️ This comment was cut to fit GitHub's 65,536-character limit. Run `config-triage check` for the full report.";
  const fence = "\n```";
  let cut = body.slice(0, limit - note.length - fence.length);
  // End on a whole line when one ends nearby, and close a code block the cut left open, so the note stays visible.
  const lastLine = cut.lastIndexOf("\n");
  if (lastLine >= 0 && lastLine > cut.length - 2_000) cut = cut.slice(0, lastLine);
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += fence;
  return cut + note;
}
