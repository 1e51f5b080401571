import type { EffectiveCheck } from "./plan-checks.js";
import type { CannotCheckReason, ContainerSnapshot, LiveState, ServiceSnapshot, ServiceState, ServiceTarget, ValueSource } from "./types.js";

/** What one check found on one service. */
export type VariableStatus = "set" | "missing" | "wrong-source" | "cannot-check";

export interface VariableResult {
  variable: string;
  target: ServiceTarget;
  status: VariableStatus;
  /** The name that satisfied the check (the variable or one of its aliases). */
  foundAs?: string;
  source?: ValueSource;
  container?: string;
  origin: EffectiveCheck["origin"];
}

/** Something wrong (or uncheckable), with where, why and the one command that fixes it. */
export interface Problem {
  severity: "fail" | "cannot-check";
  /** Short statement, e.g. "`JWT_SECRET_STAGING` is missing". */
  what: string;
  target: ServiceTarget;
  revision?: string;
  container?: string;
  why: string;
  /** A shell command that fixes it, or undefined when there is no single command (then `why` says what to do). */
  fix?: string;
  /** Stable key, used to tell what changed between two checks. */
  key: string;
}

export type Verdict = "pass" | "fail" | "incomplete" | "nothing-to-check";

export interface Diagnosis {
  source: LiveState["source"];
  fetchedAt: string;
  results: VariableResult[];
  problems: Problem[];
  verdict: Verdict;
}

const CANNOT_CHECK_WHY: Record<CannotCheckReason, string> = {
  "not-found": "the service does not exist in this project and region (check the name, project and region in the config)",
  "permission-denied": "the app's service account may not read this service",
  unauthenticated: "the app has no valid Google credentials (Application Default Credentials)",
  unreachable: "could not reach Cloud Run in time; the next check will try again",
  error: "Cloud Run answered with an unexpected error",
};

/** `JWT_SECRET_STAGING` -> `jwt-secret-staging`, the default Secret Manager name in fix commands. */
export function defaultSecretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}

function gcloudUpdate(t: ServiceTarget, flags: string): string {
  return `gcloud run services update ${t.service} --project=${t.project} --region=${t.region} ${flags}`;
}

function servingContainer(snapshot: ServiceSnapshot): ContainerSnapshot | undefined {
  return snapshot.template.containers.find((c) => c.serving);
}

function evaluateVariable(check: EffectiveCheck, state: ServiceState): { result: VariableResult; problem?: Problem } {
  const target = state.target;
  const base = { variable: check.variable, target, origin: check.origin };
  const where = `${target.environment} / ${target.service}`;
  if (state.kind === "cannot-check") {
    return { result: { ...base, status: "cannot-check" } };
  }
  const container = servingContainer(state.snapshot);
  const names = [check.variable, ...check.aliases];
  const entry = names.map((n) => container?.env.find((e) => e.name === n)).find(Boolean);
  const secret = check.secret ?? defaultSecretName(check.variable);
  const why = check.why ?? `the service reads \`${check.variable}\` at start-up; without it, requests that need it fail`;
  if (!entry) {
    const fix =
      check.from === "literal"
        ? gcloudUpdate(target, `--update-env-vars=${check.variable}=VALUE`)
        : gcloudUpdate(target, `--update-secrets=${check.variable}=${secret}:latest`);
    const aliasNote = check.aliases.length ? ` (also looked for ${check.aliases.map((a) => `\`${a}\``).join(", ")})` : "";
    return {
      result: { ...base, status: "missing", container: container?.name },
      problem: {
        severity: "fail",
        what: `\`${check.variable}\` is missing on ${where}${aliasNote}`,
        target,
        container: container?.name,
        why,
        fix,
        key: `missing:${target.environment}:${target.service}:${check.variable}`,
      },
    };
  }
  const result: VariableResult = { ...base, status: "set", foundAs: entry.name, source: entry.source, container: container?.name };
  const mismatch =
    (check.from === "secret-manager" && entry.source.kind !== "secret") || (check.from === "literal" && entry.source.kind !== "literal");
  if (!mismatch) return { result };
  const fix =
    check.from === "secret-manager"
      ? gcloudUpdate(target, `--remove-env-vars=${entry.name} --update-secrets=${entry.name}=${secret}:latest`)
      : gcloudUpdate(target, `--remove-secrets=${entry.name} --update-env-vars=${entry.name}=VALUE`);
  return {
    result: { ...result, status: "wrong-source" },
    problem: {
      severity: "fail",
      what:
        check.from === "secret-manager"
          ? `\`${entry.name}\` is a literal on ${where}, but must come from Secret Manager`
          : `\`${entry.name}\` comes from Secret Manager on ${where}, but must be a literal`,
      target,
      container: container?.name,
      why:
        check.from === "secret-manager"
          ? "a literal value is visible to anyone who can read the service's configuration and is not rotated with the secret"
          : "the configuration asks for a literal value here",
      fix,
      key: `source:${target.environment}:${target.service}:${entry.name}`,
    },
  };
}

function cannotCheckProblem(state: Extract<ServiceState, { kind: "cannot-check" }>): Problem {
  const t = state.target;
  const permission = state.permission ? ` (missing IAM permission \`${state.permission}\` on project \`${t.project}\`)` : "";
  const fix =
    state.reason === "permission-denied"
      ? `gcloud projects add-iam-policy-binding ${t.project} --member=serviceAccount:SERVICE_ACCOUNT --role=roles/run.viewer`
      : state.reason === "unauthenticated"
        ? "gcloud auth application-default login"
        : undefined;
  return {
    severity: "cannot-check",
    what: `could not check ${t.environment} / ${t.service}: ${state.reason.replace("-", " ")}${permission}`,
    target: t,
    why: `${CANNOT_CHECK_WHY[state.reason]}. Cloud Run said: ${state.detail}`,
    fix,
    key: `cannot:${t.environment}:${t.service}:${state.reason}`,
  };
}

function sameTarget(a: ServiceTarget, b: ServiceTarget): boolean {
  return a.environment === b.environment && a.project === b.project && a.region === b.region && a.service === b.service;
}

/** The pure diagnosis: which checks pass on which services, and what to do about each problem. */
export function evaluate(checks: EffectiveCheck[], live: LiveState): Diagnosis {
  const results: VariableResult[] = [];
  const problems: Problem[] = [];
  for (const state of live.services) {
    if (state.kind === "cannot-check") problems.push(cannotCheckProblem(state));
  }
  for (const check of checks) {
    for (const target of check.targets) {
      const state = live.services.find((s) => sameTarget(s.target, target));
      if (!state) continue;
      const { result, problem } = evaluateVariable(check, state);
      results.push(result);
      if (problem) problems.push(problem);
    }
  }
  const failing = problems.some((p) => p.severity === "fail");
  const incomplete = problems.some((p) => p.severity === "cannot-check");
  const verdict: Verdict = failing ? "fail" : incomplete ? "incomplete" : results.length ? "pass" : "nothing-to-check";
  return { source: live.source, fetchedAt: live.fetchedAt, results, problems, verdict };
}
