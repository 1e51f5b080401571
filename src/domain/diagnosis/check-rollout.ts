import type { ServiceSnapshot, ServiceState, ServiceTarget } from "./live-state.js";
import * as gcloud from "./gcloud-commands.js";
import type { Problem } from "./diagnosis.js";
import { commandTarget, where } from "./snapshot-facts.js";

/** A service's own state: a failed or unfinished rollout, a failed health check. */

/** A failed or unfinished rollout of a service: its latest configuration is not what serves. */
export function rolloutProblems(s: ServiceSnapshot): Problem[] {
  const target: ServiceTarget = s;
  const problems: Problem[] = [];
  const cond = s.terminalCondition;
  const failed = cond && /FAILED$/.test(cond.state);
  const key = (k: string) => `${k}:${s.environment}:${s.service}`;
  if (s.latestCreatedRevision && s.latestReadyRevision !== s.latestCreatedRevision && (failed || !s.reconciling)) {
    problems.push({
      severity: "fail",
      what:
        `the latest rollout of ${where(target)} failed: revision \`${s.latestCreatedRevision}\` is not ` +
        `ready${cond?.reason ? ` (${cond.reason})` : ""}, so \`${s.latestReadyRevision ?? "no revision"}\` still ` +
        `serves`,
      target,
      revision: s.latestCreatedRevision,
      why:
        `changes made since \`${s.latestReadyRevision ?? "the first deploy"}\` are not live. Cloud Run said: ` +
        `${cond?.message ?? "the revision is not ready"}`,
      fix: rolloutFix(s, cond?.message ?? ""),
      key: key("rollout-failed"),
    });
  } else if (failed) {
    problems.push({
      severity: "fail",
      what: `${where(target)} is not ready${cond?.reason ? ` (${cond.reason})` : ""}`,
      target,
      why: `Cloud Run said: ${cond?.message ?? "the service is not ready"}`,
      fix: rolloutFix(s, cond?.message ?? ""),
      key: key("not-ready"),
    });
  }
  if (s.reconciling || (s.generation && s.observedGeneration && s.generation !== s.observedGeneration)) {
    problems.push({
      severity: "warn",
      what:
        `a rollout of ${where(target)} is still in progress` +
        (s.generation !== s.observedGeneration
          ? ` (generation ${s.generation}, Cloud Run has applied ${s.observedGeneration ?? "none"})`
          : ""),
      target,
      why: "what serves may change in the next minutes; check again when the rollout is done",
      fix: gcloud.describeServiceConditions(s),
      key: key("reconciling"),
    });
  }
  return problems;
}

/**
 * The fix for a failed revision, from Cloud Run's own message where it names a secret and a service account; else the
 * command that shows the failed revision's conditions (none when no revision name is known).
 */
function rolloutFix(s: ServiceSnapshot, message: string): string | undefined {
  const secret = /secrets\/([^/\s]+)\/versions\/([^\s]+)/.exec(message);
  const account = /service account ([^\s.]+(?:\.[^\s.]+)*@[^\s]+?)\.?(\s|$)/.exec(message);
  const at = commandTarget(s, s);
  if (secret && /permission denied/i.test(message)) {
    return gcloud.grantSecretAccess(s.project, secret[1], account?.[1] ?? "SERVICE_ACCOUNT");
  }
  if (secret && /not found/i.test(message)) {
    return secret[2] === "latest"
      ? [gcloud.createSecret(s.project, secret[1]), gcloud.addSecretVersion(s.project, secret[1])].join("\n")
      : gcloud.setSecret(at, "VARIABLE", { secret: secret[1], version: "latest" });
  }
  return gcloud.describeRevision(at, s.latestCreatedRevision ?? s.latestReadyRevision);
}

/** The problem a failed health check is, if it failed. */
export function healthProblem(state: Extract<ServiceState, { kind: "ok" }>): Problem | undefined {
  const h = state.health;
  if (!h || h.ok) return undefined;
  const t = state.target;
  return {
    severity: "fail",
    what:
      `the health check of ${where(t)} failed: ` +
      `${h.status !== undefined ? `HTTP ${h.status}` : (h.error ?? "no answer")} after ${h.latencyMs} ms`,
    target: t,
    revision: state.snapshot.latestReadyRevision,
    why: `\`${h.url}\` should answer 2xx; users probably see errors too`,
    fix: gcloud.readServiceLogs(t),
    key: `health:${t.environment}:${t.service}`,
  };
}
