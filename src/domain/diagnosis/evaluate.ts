import type { ResolvedRequirement } from "./resolve-requirements.js";
import type { LiveState } from "./live-state.js";
import type { VariableResult, Problem, Verdict, Diagnosis, EvaluateOptions } from "./diagnosis.js";
import { sameTarget } from "./snapshot-facts.js";
import { cannotCheckProblem } from "./cannot-check.js";
import { evaluateVariable } from "./check-variable.js";
import { rolloutProblems, healthProblem } from "./check-rollout.js";
import { driftProblems } from "./find-drift.js";
import { verifySecrets } from "./verify-diagnosis-secrets.js";

// The diagnosis's public face: what other layers import from the diagnosis.
export { PROBLEM_KINDS, problemKind, secretUsesOf } from "./diagnosis.js";
export type { Diagnosis, EvaluateOptions, Problem, VariableResult, VariableStatus, Verdict } from "./diagnosis.js";
export { driftProblems, stripServiceAffix } from "./find-drift.js";
export { nearMisses, stripEnvironmentSuffix } from "./check-variable.js";
export { rolloutProblems } from "./check-rollout.js";
export { defaultComputeAccount, defaultSecretName } from "./snapshot-facts.js";

/** The pure diagnosis: which checks pass on which services, and what to do about each problem. */
export function evaluate(
  requirements: ResolvedRequirement[],
  live: LiveState,
  options: EvaluateOptions = {},
): Diagnosis {
  const results: VariableResult[] = [];
  const problems: Problem[] = [];
  for (const state of live.services) {
    if (state.kind === "cannot-check") {
      problems.push(cannotCheckProblem(state));
      continue;
    }
    problems.push(...rolloutProblems(state.snapshot));
    const health = healthProblem(state);
    if (health) problems.push(health);
  }
  for (const check of requirements) {
    for (const target of check.targets) {
      const state = live.services.find((s) => sameTarget(s.target, target));
      if (!state) continue;
      const found = evaluateVariable(check, state);
      results.push(found.result);
      problems.push(...found.problems);
    }
  }
  // A variable already reported missing is not reported again as drift.
  const missing = new Set(
    results
      .filter((r) => r.status === "missing")
      .map((r) => `${r.target.environment}:${r.target.service}:${r.variable}`),
  );
  const typos = new Set(
    results.filter((r) => r.nearMiss).map((r) => `${r.target.environment}:${r.target.service}:${r.nearMiss}`),
  );
  problems.push(...driftProblems(live, missing, typos, options));
  if (live.secrets) problems.push(...verifySecrets(results, problems, live));
  const seen = new Set<string>();
  const unique = problems.filter((p) => !seen.has(p.key) && seen.add(p.key));
  const failing = unique.some((p) => p.severity === "fail");
  const incomplete = unique.some((p) => p.severity === "cannot-check");
  const verdict: Verdict = failing ? "fail" : incomplete ? "incomplete" : results.length ? "pass" : "nothing-to-check";
  return { source: live.source, fetchedAt: live.fetchedAt, results, problems: unique, verdict };
}
