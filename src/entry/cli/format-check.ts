import type { ConfigProblem } from "../../domain/config/parse-config.js";
import type { Diagnosis, Verdict, VariableResult } from "../../domain/diagnosis/evaluate.js";
import type { LiveState } from "../../domain/diagnosis/live-state.js";
import { renderDiagnosisReport, snapshotAge, type DiagnosisCommentInput } from "../../rendering/render-diagnosis.js";

export type CheckFormat = "table" | "json" | "markdown";
export const CHECK_FORMATS: CheckFormat[] = ["table", "json", "markdown"];

/** Exit codes of `config-triage check`: 0 every check passes, 1 something fails, 2 it could not check. */
export const EXIT = { pass: 0, fail: 1, cannotCheck: 2 } as const;

export function exitCodeFor(verdict: Verdict): number {
  switch (verdict) {
    case "pass":
      return EXIT.pass;
    case "fail":
      return EXIT.fail;
    case "incomplete":
    case "nothing-to-check":
      return EXIT.cannotCheck;
  }
}

const STATUS: Record<VariableResult["status"], string> = {
  set: "ok",
  missing: "MISSING",
  "wrong-source": "WRONG SOURCE",
  "not-serving": "NOT SERVING",
  "cannot-check": "CANNOT CHECK",
};

function source(r: VariableResult): string {
  const alias = r.foundAs && r.foundAs !== r.variable ? ` (as ${r.foundAs})` : "";
  if (!r.source) return "-";
  return r.source.kind === "literal" ? `literal${alias}` : `secret ${r.source.secret}:${r.source.version}${alias}`;
}

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "))
    .join("\n");
}

function summary(d: Diagnosis): string {
  const fails = d.problems.filter((p) => p.severity === "fail").length;
  const cannot = d.problems.filter((p) => p.severity === "cannot-check").length;
  const services = new Set(d.results.map((r) => `${r.target.environment}/${r.target.service}`)).size;
  const counts =
    `${d.results.length} check${d.results.length === 1 ? "" : "s"} on ` +
    `${services} service${services === 1 ? "" : "s"}`;
  switch (d.verdict) {
    case "pass":
      return `PASS: ${counts}, every check passes`;
    case "fail":
      return (
        `FAIL: ${fails} problem${fails === 1 ? "" : "s"} in ` +
        `${counts}${cannot ? `; ${cannot} service${cannot === 1 ? "" : "s"} could not be checked` : ""}`
      );
    case "incomplete":
      return `CANNOT CHECK: ${cannot} service${cannot === 1 ? "" : "s"} could not be checked (${counts})`;
    case "nothing-to-check":
      return "NOTHING TO CHECK: no check applies; add `checks:` to the config (or pick another --env)";
  }
}

/** The snapshot files the data came from, with when each was taken. */
function snapshotsOf(live: LiveState | undefined): Array<{ file: string; takenAt?: string }> {
  const files = new Map<string, string | undefined>();
  for (const s of live?.services ?? []) if (s.origin) files.set(s.origin.file, s.origin.takenAt);
  return [...files].map(([file, takenAt]) => ({ file, takenAt }));
}

/**
 * The text of `check`'s report, in the chosen format. Values are never part of a Diagnosis, so never printed. `extras`
 * (the live data and the checks) adds which environments came from snapshot files and how old those are, and, in
 * Markdown, the health table and the revision diagrams as the app's comment has them.
 */
export function formatCheck(
  d: Diagnosis,
  format: CheckFormat,
  extras: Pick<DiagnosisCommentInput, "live" | "checks"> = {},
): string {
  const snapshots = snapshotsOf(extras.live);
  if (format === "json") {
    const from = snapshots.length ? { snapshots } : {};
    return JSON.stringify(
      {
        verdict: d.verdict,
        exitCode: exitCodeFor(d.verdict),
        fetchedAt: d.fetchedAt,
        ...from,
        results: d.results,
        problems: d.problems,
      },
      null,
      2,
    );
  }
  if (format === "markdown") return renderDiagnosisReport(d, extras);
  const parts: string[] = [];
  if (d.results.length) {
    parts.push(
      columns([
        ["ENVIRONMENT", "SERVICE", "VARIABLE", "STATUS", "SOURCE"],
        ...d.results.map((r) => [r.target.environment, r.target.service, r.variable, STATUS[r.status], source(r)]),
      ]),
    );
  }
  for (const p of d.problems) {
    const lines = [
      `${p.severity === "fail" ? "✗" : "?"} ${p.what.replace(/`/g, "")} (project ${p.target.project}, ` +
        `region ${p.target.region})`,
      `  why: ${p.why}`,
    ];
    if (p.verified) lines.push(`  verified: ${p.verified}`);
    if (p.fix) lines.push(`  fix: ${p.fix.replace(/\n/g, "\n       ")}`);
    parts.push(lines.join("\n"));
  }
  for (const s of snapshots)
    parts.push(`not live: read from the snapshot ${s.file} (${snapshotAge(s.takenAt, d.fetchedAt)})`);
  parts.push(summary(d));
  return parts.join("\n\n");
}

/** `file:line:column: message`, the form editors and CI logs turn into links. */
export function formatProblem(p: ConfigProblem): string {
  const at = p.line ? `:${p.line}${p.column ? `:${p.column}` : ""}` : "";
  return `${p.file}${at}: ${p.message}`;
}

/** `%`, CR and LF escaped as GitHub Actions workflow commands need them. */
export function escapeCommand(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A GitHub Actions workflow command that puts the problem as an annotation on the file's line. */
export function formatProblemAnnotation(p: ConfigProblem): string {
  const props = [`file=${p.file}`, p.line ? `line=${p.line}` : "", p.column ? `col=${p.column}` : ""]
    .filter(Boolean)
    .join(",");
  return `::error ${props}::${escapeCommand(p.message)}`;
}
