import type { ResolvedRequirement } from "./resolve-requirements.js";
import type { LiveState, SecretUse, ServiceTarget, ValueSource } from "./live-state.js";

/** What a diagnosis is: the results of the checks, the problems found, and the verdict. Types and pure helpers. */

/**
 * What one check found on one service. `not-serving`: in the template, but absent from a revision that serves traffic.
 */
export type VariableStatus = "set" | "missing" | "wrong-source" | "not-serving" | "cannot-check";

export interface VariableResult {
  variable: string;
  target: ServiceTarget;
  status: VariableStatus;
  /** The name that satisfied the check (the variable or one of its aliases). */
  foundAs?: string;
  source?: ValueSource;
  container?: string;
  origin: ResolvedRequirement["origin"];
  /** For a missing variable: the name the near-miss check took for a misspelling of it (never propagated as drift). */
  nearMiss?: string;
  /** For a variable read from Secret Manager: the version its next deploy needs, and who reads it. */
  secretUse?: SecretUse;
}

/**
 * Something wrong (or uncheckable), with where, why and the one command that fixes it. `warn` is worth knowing but
 * does not fail the check (drift between environments, a rollout still in progress).
 */
export interface Problem {
  severity: "fail" | "cannot-check" | "warn";
  /** Short statement, e.g. "`JWT_SECRET_STAGING` is missing". */
  what: string;
  target: ServiceTarget;
  revision?: string;
  container?: string;
  why: string;
  /**
   * The shell commands that fix it, one per line, to run in order; undefined when there is no command (then `why`
   * says what to do).
   */
  fix?: string;
  /** The Secret Manager versions the fix relies on: verified before the fix is called one that works. */
  secretUses?: SecretUse[];
  /** What the Secret Manager check found about the fix: "this fix will work", or what must happen first. */
  verified?: string;
  /** Stable key, used to tell what changed between two checks. */
  key: string;
}

/**
 * Every kind of problem a diagnosis reports: the part of `Problem.key` before the first `:`. The app's comment records
 * this list, so a later version that adds a kind does not call the old problems of that kind "new" (see
 * `renderChangesSection`).
 */
export const PROBLEM_KINDS = [
  "missing",
  "source",
  "version",
  "serving",
  "cannot",
  "cannot-revision",
  "rollout-failed",
  "not-ready",
  "reconciling",
  "health",
  "drift",
  "secret",
  "secret-unverified",
] as const;

/** `drift:staging>production:api` -> `drift`. */
export function problemKind(key: string): string {
  const colon = key.indexOf(":");
  return colon < 0 ? key : key.slice(0, colon);
}

export type Verdict = "pass" | "fail" | "incomplete" | "nothing-to-check";

export interface Diagnosis {
  source: LiveState["source"];
  fetchedAt: string;
  results: VariableResult[];
  problems: Problem[];
  verdict: Verdict;
}

/** Options of the diagnosis that come from the configuration rather than from Cloud Run. */
export interface EvaluateOptions {
  /** Explicit pairs of services across environments (`service_pairs` in the config), environment -> service. */
  servicePairs?: Record<string, string>[];
}

/** Every Secret Manager version a diagnosis relies on: the references services read and those its fixes propose. */
export function secretUsesOf(d: Diagnosis): SecretUse[] {
  const all = [
    ...d.results.flatMap((r) => (r.secretUse ? [r.secretUse] : [])),
    ...d.problems.flatMap((p) => p.secretUses ?? []),
  ];
  const seen = new Map(
    all.map((u) => [`${u.project}/${u.secret}/${u.version}/${u.serviceProject}/${u.serviceAccount ?? ""}`, u]),
  );
  return [...seen.values()];
}
