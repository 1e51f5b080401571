import { problemKind, type Problem } from "../diagnosis/evaluate.js";

/**
 * A short plain-text phrase for a problem, for issue titles: "JWT_SECRET_STAGING missing on staging", "failed
 * rollout of api on staging". Built from the problem's key (`kind:environment:service:...`), so every kind, including
 * one added later, reads as a phrase with a subject.
 */
export function problemSubject(p: Problem): string {
  const kind = problemKind(p.key);
  const parts = p.key.split(":");
  const env = p.target.environment;
  const service = p.target.service;
  const variable = parts[3] ?? "";
  switch (kind) {
    case "missing":
      return `${variable} missing on ${env}`;
    case "source":
      return `${variable} from the wrong source on ${env}`;
    case "version":
      return `${variable} on the wrong secret version on ${env}`;
    case "serving":
      return `${variable} not on the serving revision of ${service} on ${env}`;
    case "rollout-failed":
      return `failed rollout of ${service} on ${env}`;
    case "not-ready":
      return `${service} not ready on ${env}`;
    case "reconciling":
      return `rollout of ${service} on ${env} in progress`;
    case "health":
      return `failing health check of ${service} on ${env}`;
    case "secret":
      return `${variable} reads a secret the next deploy of ${service} on ${env} cannot read`;
    case "secret-unverified":
      return `the secret ${variable} reads on ${service} (${env}) could not be verified`;
    case "cannot":
      return `${service} on ${env} could not be checked`;
    case "cannot-revision":
      return `a serving revision of ${service} on ${env} could not be read`;
    case "drift": {
      const [from] = (parts[1] ?? "").split(">");
      return `${service} on ${env} differs from ${from || "another environment"}`;
    }
    default:
      return `${kind.replace(/-/g, " ")} on ${service} (${env})`;
  }
}

/**
 * One phrase for a list of problems: at most three subjects, then "and N more". Empty when there are none.
 */
export function summarizeProblems(problems: Problem[]): string {
  const subjects = [...new Set(problems.map(problemSubject))];
  if (subjects.length <= 3) return subjects.join(", ");
  return `${subjects.slice(0, 3).join(", ")} and ${subjects.length - 3} more`;
}
