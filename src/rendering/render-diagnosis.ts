import { PROBLEM_KINDS, type Diagnosis, type Problem, type VariableResult } from "../domain/diagnosis/evaluate.js";
import type { LiveState, ServiceSnapshot, ValueSource } from "../domain/diagnosis/live-state.js";
import { code, escapeMarkdown } from "./escape-markdown.js";
import { fitBody, GITHUB_BODY_LIMIT } from "./fit-body.js";
import { diagnosisStateMarker, type DiagnosisState } from "../domain/issue-state/markers.js";
import type { Proposal, Review, ReviewState } from "../domain/follow-up-plan/to-proposal.js";
import { renderRevisionDiagram } from "./render-mermaid.js";

/** GitHub rejects a comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = GITHUB_BODY_LIMIT;

/** A follow-up issue as the diagnosis comment lists it. */
export interface FollowUpRef {
  template: string;
  number: number;
  id: number;
  /** Its GraphQL node id: it names the issue wherever it is (a number names another issue once the parent moves). */
  node_id?: string;
  title: string;
  state: "open" | "closed";
  /** Shown next to the issue: open / approved / rejected / done. */
  review?: ReviewState;
  /** Numbers of the follow-ups recorded as blocking this one. */
  blockedBy?: number[];
  /** Its milestone's title and issue type, when known. */
  milestone?: string;
  type?: string;
}

export interface DiagnosisCommentInput {
  diagnosis: Diagnosis;
  followUps: FollowUpRef[];
  /** What happens to the issue because of this check. */
  outcome: "open" | "closed" | "comment-only";
  proposal?: Proposal;
  reviews?: Record<string, Review>;
  /** Extra sections (changes since the last check, the plan), shown after the follow-ups. */
  sections?: string[];
  /** The data the diagnosis was made from: for the revision diagrams, health results and snapshot ages. */
  live?: LiveState;
  /** The checks, for the variables each revision diagram shows. */
  checks?: Array<{ variable: string; aliases: string[]; targets: Array<{ environment: string; service: string }> }>;
  /** Recorded in the state (see `DiagnosisState.notSet`); the caller renders the section. */
  notSet?: string[];
  /** Recorded in the state (see `DiagnosisState.autoClosed`) and named by the closing line. */
  autoClosed?: number[];
  /** The check was a scheduled recheck (`watch:`): the closing line says so. */
  scheduled?: boolean;
}

const ICON: Record<VariableResult["status"], string> = {
  set: "✅ set",
  missing: "❌ missing",
  "wrong-source": "⚠️ wrong source",
  "not-serving": "❌ not serving",
  "cannot-check": "❔ could not check",
};

function describeSource(result: VariableResult): string {
  const s: ValueSource | undefined = result.source;
  const alias = result.foundAs && result.foundAs !== result.variable ? ` as ${code(result.foundAs)}` : "";
  if (!s) return "—";
  if (s.kind === "literal") return `literal${alias} (value not shown)`;
  if (s.kind === "file")
    return `Secret Manager ${code(s.secret)} version ${code(s.version)} mounted as file ${code(s.path)}`;
  return `Secret Manager ${code(s.secret)} version ${code(s.version)}${alias}`;
}

function headline(d: Diagnosis): string {
  const fails = d.problems.filter((p) => p.severity === "fail").length;
  const cannot = d.problems.filter((p) => p.severity === "cannot-check").length;
  switch (d.verdict) {
    case "pass":
      return "### ✅ config-triage: every check passes";
    case "fail":
      return (
        `### ❌ config-triage: ${fails} problem${fails === 1 ? "" : "s"} ` +
        `found${cannot ? `, ${cannot} service${cannot === 1 ? "" : "s"} could not be checked` : ""}`
      );
    case "incomplete":
      return `### ❔ config-triage: ${cannot} service${cannot === 1 ? "" : "s"} could not be checked`;
    case "nothing-to-check":
      return "### ℹ️ config-triage: nothing to check";
  }
}

/** "taken 2025-02-20, 9 days old": a snapshot's age at the time of the check. */
export function snapshotAge(fromIso: string | undefined, toIso: string): string {
  if (!fromIso) return "age unknown";
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return "age unknown";
  const hours = Math.floor(ms / 3_600_000);
  const text =
    hours < 1
      ? "less than an hour"
      : hours < 48
        ? `${hours} hour${hours === 1 ? "" : "s"}`
        : `${Math.floor(hours / 24)} days`;
  return `taken ${fromIso.slice(0, 10)}, ${text} old`;
}

function sourceLine(d: Diagnosis, all: VariableResult[], live?: LiveState): string {
  // Only what could be read counts as checked; the rest is listed under "Could not check".
  const results = all.filter((r) => r.status !== "cannot-check");
  const services = new Set(results.map((r) => `${r.target.environment}/${r.target.service}`)).size;
  const envs = new Set(results.map((r) => r.target.environment)).size;
  const origins = new Map<string, string | undefined>();
  for (const s of live?.services ?? []) if (s.origin) origins.set(s.origin.file, s.origin.takenAt);
  const from =
    d.source === "live" && !origins.size
      ? "live from Cloud Run"
      : origins.size
        ? "partly from snapshots"
        : "from a configuration snapshot";
  const when = d.fetchedAt.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  const allFromSnapshots = d.source === "snapshot" || (origins.size && live?.services.every((s) => s.origin));
  const line =
    `Checked ${results.length} variable${results.length === 1 ? "" : "s"} on ${services} ` +
    `service${services === 1 ? "" : "s"} in ${envs} environment${envs === 1 ? "" : "s"}, ` +
    `${allFromSnapshots ? "from a configuration snapshot" : from} at ${when}. Values are never shown.`;
  if (!origins.size) return line;
  const notes = [...origins].map(([file, takenAt]) => `${code(file)} (${snapshotAge(takenAt, d.fetchedAt)})`);
  return (
    `${line}\n\n> 📄 Not live: read from the snapshot ${notes.join(", ")}, ` +
    `in the shape of \`gcloud run services describe --format yaml\`. The live services may have changed since.`
  );
}

function table(results: VariableResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${code(r.target.service)} | ${code(r.variable)} | ${ICON[r.status]} | ` +
      `${describeSource(r)}${r.container && r.source ? ` in ${code(r.container)}` : ""} |`,
  );
  return ["| Service | Variable | Status | Source |", "|---|---|---|---|", ...rows].join("\n");
}

function problemSection(p: Problem): string {
  const where = [
    `project ${code(p.target.project)}`,
    `region ${code(p.target.region)}`,
    `service ${code(p.target.service)}`,
  ];
  if (p.revision) where.push(`revision ${code(p.revision)}`);
  if (p.container) where.push(`container ${code(p.container)}`);
  const lines = [`**${p.what}**`, `Where: ${where.join(" / ")}`, `Why it matters: ${p.why}.`];
  if (p.verified) lines.push(`Checked in Secret Manager: ${p.verified}.`);
  if (p.fix) lines.push("```sh", p.fix, "```");
  return lines.join("\n");
}

/** Problems under one heading, grouped by environment when there are several. */
function groupedSection(title: string, problems: Problem[]): string {
  if (!problems.length) return "";
  const envs = [...new Set(problems.map((p) => p.target.environment))];
  if (envs.length === 1) return [title, ...problems.map(problemSection)].join("\n\n");
  return [
    title,
    ...envs.flatMap((env) => [
      `##### ${env}`,
      ...problems.filter((p) => p.target.environment === env).map(problemSection),
    ]),
  ].join("\n\n");
}

/** Results by environment: what fails in the open, what passes folded away. */
function resultsSection(results: VariableResult[]): string {
  if (!results.length) return "";
  const envs = [...new Set(results.map((r) => r.target.environment))];
  const parts = ["#### Results by environment"];
  for (const env of envs) {
    const rows = results.filter((r) => r.target.environment === env);
    const bad = rows.filter((r) => r.status !== "set");
    const good = rows.filter((r) => r.status === "set");
    parts.push(`**${env}**: ${good.length} of ${rows.length} check${rows.length === 1 ? "" : "s"} pass`);
    if (bad.length) parts.push(table(bad));
    if (good.length)
      parts.push(`<details><summary>✅ ${good.length} passing</summary>\n\n${table(good)}\n\n</details>`);
  }
  return parts.join("\n\n");
}

const MAX_DIAGRAMS = 10;

/** One Mermaid diagram per failing service: its revisions, their traffic shares and which carry the variables. */
function diagramsSection(input: Pick<DiagnosisCommentInput, "live" | "checks">, fails: Problem[]): string {
  const live = input.live;
  if (!live) return "";
  const failing = new Set(fails.map((p) => `${p.target.environment}/${p.target.service}`));
  const snapshots: ServiceSnapshot[] = live.services.flatMap((s) =>
    s.kind === "ok" && failing.has(`${s.target.environment}/${s.target.service}`) ? [s.snapshot] : [],
  );
  if (!snapshots.length) return "";
  const shown = snapshots.slice(0, MAX_DIAGRAMS).map((s) => {
    const variables = (input.checks ?? []).filter((c) =>
      c.targets.some((t) => t.environment === s.environment && t.service === s.service),
    );
    return `**${s.environment} / ${s.service}**\n\n\`\`\`mermaid\n${renderRevisionDiagram(s, variables)}\n\`\`\``;
  });
  const more =
    snapshots.length > MAX_DIAGRAMS ? [`(${snapshots.length - MAX_DIAGRAMS} more failing services not drawn)`] : [];
  return ["#### What serves traffic", ...shown, ...more].join("\n\n");
}

function healthSection(live?: LiveState): string {
  const probed = (live?.services ?? []).flatMap((s) =>
    s.kind === "ok" && s.health ? [{ t: s.target, h: s.health }] : [],
  );
  const unprobed = live?.unprobed ?? [];
  if (!probed.length && !unprobed.length) return "";
  const rows = probed.map(
    ({ t, h }) =>
      `| ${t.environment} | ${code(t.service)} | ${code(h.url)} | ${h.ok ? "✅" : "❌"} ` +
      `${h.status ?? h.error ?? "no answer"} | ${h.latencyMs} ms |`,
  );
  const table = rows.length
    ? ["| Environment | Service | URL | Answer | Latency |", "|---|---|---|---|---|", ...rows]
    : [];
  // A blank line first: a line right after a table would be read as one more row.
  const skipped = unprobed.length
    ? [
        ...(table.length ? [""] : []),
        `Not probed: ${unprobed.map((t) => `${t.environment} / ${code(t.service)}`).join(", ")}, ` +
          `read from a snapshot. ` +
          "The app requests only URLs that Cloud Run's API gave it, never one written in a repository file.",
      ]
    : [];
  return ["#### Health checks", ...table, ...skipped].join("\n");
}

export function followUpList(followUps: FollowUpRef[]): string {
  if (!followUps.length) return "";
  return [
    "#### Follow-up issues",
    ...followUps.map((f) => {
      const structure = [
        f.blockedBy?.length ? `blocked by ${f.blockedBy.map((n) => `#${n}`).join(", ")}` : "",
        f.milestone ? `milestone ${code(f.milestone)}` : "",
        f.type ? `type ${code(f.type)}` : "",
      ].filter(Boolean);
      const tail = [f.review ?? "", ...structure].filter(Boolean).join(" · ");
      const title = f.title ? ` ${escapeMarkdown(f.title)}` : "";
      return `- [${f.state === "closed" ? "x" : " "}] #${f.number}${title}${tail ? ` — ${tail}` : ""}`;
    }),
  ].join("\n");
}

function outcomeLine(input: DiagnosisCommentInput): string {
  switch (input.outcome) {
    case "closed": {
      const fixed = (input.autoClosed ?? []).map((n) => `#${n}`);
      const also = fixed.length ? `, and its fix ${fixed.join(", ")} with it` : "";
      const found = input.scheduled ? " (found by the scheduled recheck)" : "";
      return (
        `Every check passes${found}, so config-triage closed this issue as completed${also}. The follow-ups above ` +
        `carry the long-term work; \`/triage reopen\` reopens ${fixed.length ? "the issue and its fix" : "it"}.`
      );
    }
    case "comment-only":
      return "Every check passes. The configuration asks to leave the issue open.";
    case "open":
      if (input.diagnosis.verdict === "nothing-to-check")
        return "This issue stays open: there is nothing to check yet.";
      return input.diagnosis.verdict === "fail"
        ? "This issue stays open until the check passes. Fix the problems above, then comment `/triage recheck` " +
            "(or remove and re-add the label) to check again."
        : "This issue stays open until every service can be checked and passes.";
  }
}

/** What version 1 of the state could report: the kinds the first release had. */
const KINDS_OF_VERSION_1 = ["missing", "source", "cannot"];

/**
 * The kinds of problem a stored state had a chance to record, so a problem of a kind it never knew is not called new.
 * Undefined when there is no state (the first check).
 */
export function recordedKinds(state: Pick<DiagnosisState, "v" | "kinds"> | undefined): string[] | undefined {
  if (!state) return undefined;
  return state.kinds ?? KINDS_OF_VERSION_1;
}

/**
 * The state marker must never be cut, so what it remembers is bounded: problem keys past this many characters are not
 * recorded (on the next check they are listed as new rather than the marker growing past GitHub's limit).
 */
const MAX_STATE_KEYS_CHARS = 32_000;

function keysWithin(keys: string[], max: number): string[] {
  let total = 0;
  return keys.filter((k) => {
    total += k.length + 3;
    return total <= max;
  });
}

/** Renders the one diagnosis comment the app keeps on an issue (updated in place on later runs). */
export function renderDiagnosisComment(input: DiagnosisCommentInput): string {
  const { diagnosis: d } = input;
  const state: DiagnosisState = {
    v: 2,
    followUps: input.followUps.map(({ template, number, id, node_id, blockedBy }) => ({
      template,
      number,
      id,
      ...(node_id ? { node_id } : {}),
      ...(blockedBy?.length ? { blockedBy } : {}),
    })),
    problems: keysWithin(
      d.problems.map((p) => p.key),
      MAX_STATE_KEYS_CHARS,
    ),
    kinds: [...PROBLEM_KINDS],
    ...(input.proposal ? { plan: input.proposal } : {}),
    ...(input.reviews && Object.keys(input.reviews).length ? { reviews: input.reviews } : {}),
    ...(input.notSet?.length ? { notSet: input.notSet } : {}),
    ...(input.autoClosed?.length ? { autoClosed: input.autoClosed } : {}),
  };
  const tail = [followUpList(input.followUps), ...(input.sections ?? []), outcomeLine(input)]
    .filter(Boolean)
    .join("\n\n");
  return fitComment(`${diagnosisStateMarker(state)}\n\n${renderDiagnosisReport(d, input)}`, GITHUB_COMMENT_LIMIT, tail);
}

/**
 * The diagnosis itself, in Markdown: headline, what was checked, how to fix, what could not be checked, health, the
 * revision diagrams, what is worth knowing, and the results by environment (least important last, so a cut takes
 * what passes first). `extras` (the live data and the checks) adds the health table and the diagrams.
 */
export function renderDiagnosisReport(
  d: Diagnosis,
  extras: Pick<DiagnosisCommentInput, "live" | "checks"> = {},
): string {
  const fails = d.problems.filter((p) => p.severity === "fail");
  const cannot = d.problems.filter((p) => p.severity === "cannot-check");
  const warns = d.problems.filter((p) => p.severity === "warn");
  return [
    headline(d),
    d.verdict === "nothing-to-check"
      ? "No check applies: add `checks:` to `.github/config-triage.yml`, " +
        "or name variables in backticks in the issue (like `JWT_SECRET_STAGING`)."
      : sourceLine(d, d.results, extras.live),
    groupedSection("#### How to fix", fails),
    groupedSection("#### Could not check", cannot),
    healthSection(extras.live),
    diagramsSection(extras, fails),
    warns.length
      ? `<details><summary>⚠️ ${warns.length} thing${warns.length === 1 ? "" : "s"} worth knowing ` +
        `(drift between environments, rollouts in progress)</summary>\n\n${
          // Once everything passes, the issue closes: the notes stay, without commands that read like a to-do.
          d.verdict === "pass"
            ? warns.map((w) => `- ${w.what}`).join("\n")
            : groupedSection("#### Worth knowing", warns)
        }\n\n</details>`
      : "",
    resultsSection(d.results),
  ]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Keeps a comment under GitHub's limit, saying clearly that it was cut. It cuts the report at a line (never inside the
 * app's marker), closes a code block or `<details>` left open, and keeps `tail` (the follow-ups and what happens to
 * the issue) whole unless the tail alone would take more than half the room.
 */
export function fitComment(body: string, limit = GITHUB_COMMENT_LIMIT, tail = ""): string {
  const joined = tail ? `${body}\n\n${tail}` : body;
  if (joined.length <= limit) return joined;
  const cutLines = (n: number) =>
    `\n\n> ✂️ This comment was cut to fit GitHub's 65,536-character limit: the last ${n} lines of the report above ` +
    "are not shown (the most important parts come first; passing checks come last).";
  const keptTail = tail ? fitBody(tail, { limit: Math.floor(limit / 2) }) : "";
  const head = fitBody(body, { limit: limit - (keptTail ? keptTail.length + 2 : 0), note: cutLines });
  return keptTail ? `${head}\n\n${keptTail}` : head;
}
