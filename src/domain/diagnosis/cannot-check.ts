import type { CannotCheckReason, CannotRead, ServiceState, ServiceTarget } from "./live-state.js";
import * as gcloud from "./gcloud-commands.js";
import type { Problem } from "./diagnosis.js";
import { where } from "./snapshot-facts.js";

/** A service the app could not read: what happened, why it matters, and the command that lets it read again. */

/** What a reason to be unable to check a service is, in a problem's `what`. */
export const CANNOT_CHECK_WHAT: Record<CannotCheckReason, string> = {
  "not-found": "the service does not exist",
  "permission-denied": "permission denied",
  "api-disabled": "the Cloud Run Admin API is disabled in the project",
  unauthenticated: "no valid Google credentials",
  unreachable: "could not reach Cloud Run",
  error: "Cloud Run answered with an error",
  snapshot: "the snapshot file cannot be used",
};

const CANNOT_CHECK_WHY: Record<CannotCheckReason, string> = {
  "not-found":
    "the service does not exist in this project and region (check the name, project and region in the config)",
  "permission-denied": "the app's service account may not read this service",
  "api-disabled":
    "Google refuses every Cloud Run call in this project until the Cloud Run Admin API is enabled there; " +
    "no IAM grant changes that",
  unauthenticated:
    "the app found no valid Google credentials (Application Default Credentials). Where the app runs on Cloud Run, " +
    "the service's own service account is used with no setup; on another host, sign in as below, or set " +
    "GOOGLE_APPLICATION_CREDENTIALS to a service account key or credential configuration file",
  unreachable:
    "Cloud Run did not answer in time; this is neither a pass nor a failure, and the next check will try again",
  error: "Cloud Run answered with an unexpected error",
  snapshot: "this environment is read from a snapshot file, and the file does not describe the service",
};

/** Who said what follows in a problem's `why`: Cloud Run, Google's auth library, or the snapshot check. */
export function said(reason: CannotCheckReason, source?: CannotRead["source"]): string {
  if (reason === "snapshot") return "In detail:";
  return source === "credentials" ? "Google's auth library said:" : "Cloud Run said:";
}

/** The command that lets the app read this target again, when one command does it. */
export function cannotReadFix(error: CannotRead, t: ServiceTarget): string | undefined {
  switch (error.reason) {
    case "permission-denied":
      return gcloud.grantAppRole(t.project, "roles/run.viewer");
    case "api-disabled":
      return gcloud.enableApi(t.project, error.service ?? "run.googleapis.com");
    case "unauthenticated":
      // A GOOGLE_APPLICATION_CREDENTIALS that names a bad file wins over a gcloud login: no login fixes that.
      return error.credentialsFile ? undefined : gcloud.applicationDefaultLogin();
    case "not-found":
      return gcloud.listServices(t.project, t.region);
    default:
      return undefined;
  }
}

/** Why an unreadable target could not be checked; a bad GOOGLE_APPLICATION_CREDENTIALS file is said as such. */
function cannotReadWhy(error: CannotRead): string {
  if (error.reason === "unauthenticated" && error.credentialsFile) {
    return (
      "GOOGLE_APPLICATION_CREDENTIALS, on the host the app runs on, names a file that is missing or is not a valid " +
      "credential file, and it takes precedence over every other source of Google credentials: point it at a service " +
      "account key or credential configuration file, or remove it so a `gcloud auth application-default login` (or, " +
      "on Cloud Run, the service's service account) is used"
    );
  }
  return CANNOT_CHECK_WHY[error.reason];
}

/** The problem a service the app could not read is. */
export function cannotCheckProblem(state: Extract<ServiceState, { kind: "cannot-check" }>): Problem {
  const t = state.target;
  const permission = state.permission
    ? ` (missing IAM permission \`${state.permission}\` on project \`${t.project}\`)`
    : "";
  const suggestion = state.suggestions?.length
    ? `: did you mean ${state.suggestions.map((s) => `\`${s}\``).join(" or ")}?`
    : "";
  const fix = cannotReadFix(state, t);
  const why =
    state.reason === "not-found" && state.suggestions?.length
      ? `no service \`${t.service}\` in project \`${t.project}\`, region \`${t.region}\`; ` +
        `correct its name under \`environments.${t.environment}.services\` in \`.github/config-triage.yml\``
      : cannotReadWhy(state);
  return {
    severity: "cannot-check",
    what: `could not check ${where(t)}: ${CANNOT_CHECK_WHAT[state.reason]}${permission}${suggestion}`,
    target: t,
    why: `${why}. ${said(state.reason, state.source)} ${state.detail}`,
    fix,
    key: `cannot:${t.environment}:${t.service}:${state.reason}`,
  };
}
