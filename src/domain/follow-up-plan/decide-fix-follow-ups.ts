import type { Diagnosis, Problem } from "../diagnosis/evaluate.js";
import { problemSubject } from "./describe-problem.js";

/** One problem a fix follow-up was opened for, as its marker records it. */
export interface FixRecord {
  /** The problem's stable key (`missing:staging:netra-backend:JWT_SECRET_STAGING`). */
  key: string;
  /** A short phrase naming it ("JWT_SECRET_STAGING missing on staging"), for the closing comment. */
  subject: string;
  /** The problem's `what`, as the template's checklist line starts with it (to tick that line). */
  what: string;
}

/** At most this many problems are recorded in a follow-up's marker (the marker is never cut). */
export const MAX_FIX_RECORDS = 25;
const MAX_WHAT = 300;

/** What a fix follow-up records at creation: the failing problems it carries the fix for. */
export function fixRecords(problems: Problem[]): FixRecord[] {
  return problems
    .filter((p) => p.severity === "fail")
    .slice(0, MAX_FIX_RECORDS)
    .map((p) => ({ key: p.key, subject: problemSubject(p), what: p.what.slice(0, MAX_WHAT) }));
}

/** A follow-up as the decision sees it. */
export interface FixCandidate {
  template: string;
  number: number;
  state: "open" | "closed";
  /** Its body, as GitHub has it; undefined when not read (then nothing is decided for it). */
  body?: string;
  /** The problems its marker records; absent in a follow-up opened before they were recorded. */
  fixes?: FixRecord[];
}

/** What to do with one fix follow-up: close it (fixed), or tick what passes now (partly fixed). */
export type FixAction =
  | { kind: "close"; number: number; template: string; body: string; comment: string }
  | { kind: "tick"; number: number; template: string; body: string };

/** Whether a recorded problem passes, still fails, or cannot be told (its service could not be checked). */
export type FixStatus = "passes" | "fails" | "unknown";

/** The status of one recorded problem in a fresh diagnosis. Pure. */
export function fixStatus(record: Pick<FixRecord, "key">, diagnosis: Pick<Diagnosis, "problems">): FixStatus {
  if (diagnosis.problems.some((p) => p.severity === "fail" && p.key === record.key)) return "fails";
  const [, environment, service] = record.key.split(":");
  const unchecked = diagnosis.problems.some(
    (p) => p.severity === "cannot-check" && p.target.environment === environment && p.target.service === service,
  );
  return unchecked ? "unknown" : "passes";
}

/** The body with the checklist lines of `whats` ticked (`- [ ] what` -> `- [x] what`); nothing else changes. */
export function tickChecklist(body: string, whats: string[]): string {
  if (!whats.length) return body;
  return body.replace(/^(\s*[-*] )\[ \] (.*)$/gm, (line, lead: string, rest: string) =>
    whats.some((w) => w && rest.startsWith(w)) ? `${lead}[x] ${rest}` : line,
  );
}

/** "2026-11-29 19:40 UTC" from an ISO time. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * Decides what becomes of the open follow-ups that carry a fix (`closes_when_fixed`), given a fresh diagnosis. Pure.
 * - every problem a follow-up was opened for passes (and each of its services could be checked): close it as
 *   completed, its checklist ticked, with a one-line comment naming what passed and when;
 * - some pass: tick those lines of its checklist (nothing when they are ticked already: a recheck that finds nothing
 *   new writes nothing);
 * - a follow-up from before the problems were recorded closes when every check passes.
 * Rejected, closed and long-term follow-ups are left alone.
 */
export function decideFixFollowUps(input: {
  followUps: FixCandidate[];
  closesWhenFixed(template: string): boolean;
  rejected(template: string): boolean;
  diagnosis: Pick<Diagnosis, "problems" | "verdict" | "fetchedAt">;
  parent: number;
}): FixAction[] {
  const { diagnosis, parent } = input;
  const actions: FixAction[] = [];
  for (const f of input.followUps) {
    if (f.state !== "open" || f.body === undefined) continue;
    if (!input.closesWhenFixed(f.template) || input.rejected(f.template)) continue;
    const records = f.fixes ?? [];
    const statuses = records.map((r) => fixStatus(r, diagnosis));
    const passed = records.filter((_, i) => statuses[i] === "passes");
    const body = tickChecklist(
      f.body,
      passed.map((r) => r.what),
    );
    const fixed = records.length ? passed.length === records.length : diagnosis.verdict === "pass";
    if (fixed) {
      const what = passed.length ? passed.map((r) => r.subject).join(", ") : "every check";
      const comment =
        `✅ Fixed: ${what} ${passed.length > 1 ? "pass" : "passes"} in the live check of ` +
        `${utcMinute(diagnosis.fetchedAt)}, so config-triage closed ` +
        `this issue as completed; \`/triage reopen\` on #${parent} reopens it.`;
      actions.push({ kind: "close", number: f.number, template: f.template, body, comment });
    } else if (body !== f.body) {
      actions.push({ kind: "tick", number: f.number, template: f.template, body });
    }
  }
  return actions;
}
