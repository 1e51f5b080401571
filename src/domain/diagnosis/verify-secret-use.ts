import { ALLOWED_PROJECTS_VAR } from "../config/allowed-projects.js";
import * as gcloud from "./gcloud-commands.js";
import type { SecretFacts, SecretUse, Unverified } from "./live-state.js";

/** Whether a fix that relies on a Secret Manager version will work, and what must happen first. */
export interface SecretVerdict {
  status: "works" | "blocked" | "unverified";
  /** What was found, one clause each (names only, never a value). */
  found: string[];
  /** Commands to run before the fix, in order. */
  before: string[];
  /** For "unverified": the command that settles the question, when one does. */
  settle?: string;
}

function isUnverified(x: unknown): x is Unverified {
  return typeof x === "object" && x !== null && "unverified" in x;
}

function said(u: Unverified): string {
  const { reason, detail, permission } = u.unverified;
  return reason === "permission-denied" && permission ? `the app lacks \`${permission}\`` : detail || reason;
}

/**
 * Pure: from what Secret Manager said (`fetchSecretFacts`), whether the version a fix relies on exists and is
 * ENABLED, and whether the service's runtime account holds a role with `secretmanager.versions.access` on the secret
 * or its project. A question the app could not ask is "could not verify", never "missing".
 */
export function verifySecretUse(
  use: SecretUse,
  facts: SecretFacts[],
  projectNumbers: Record<string, string> = {},
): SecretVerdict {
  const fact = facts.find((f) => f.project === use.project && f.secret === use.secret);
  const s = `\`${use.secret}\``;
  const account = runtimeAccount(use, projectNumbers);
  const grant = gcloud.grantSecretAccess(use.project, use.secret, account ?? "SERVICE_ACCOUNT");
  if (!fact || isUnverified(fact.exists)) {
    return {
      status: "unverified",
      settle: viewerGrant(use.project, fact?.exists),
      found: [
        `could not verify that secret ${s} exists in project ` +
          `\`${use.project}\`${fact && isUnverified(fact.exists) ? ` (${said(fact.exists)})` : ""}`,
      ],
      before: [],
    };
  }
  if (!fact.exists) {
    return {
      status: "blocked",
      found: [`secret ${s} does not exist in project \`${use.project}\``],
      before: [gcloud.createSecret(use.project, use.secret), gcloud.addSecretVersion(use.project, use.secret), grant],
    };
  }
  const verdict: SecretVerdict = {
    status: "works",
    found: [`secret ${s} exists in project \`${use.project}\``],
    before: [],
  };
  const block = (found: string, ...commands: string[]) => {
    verdict.status = "blocked";
    verdict.found.push(found);
    verdict.before.push(...commands);
  };
  const unknown = (found: string, settle?: string) => {
    if (verdict.status === "works") verdict.status = "unverified";
    verdict.found.push(found);
    verdict.settle ??= settle;
  };
  const v = fact.versions[use.version];
  const label = use.version === "latest" ? "version `latest`" : `version \`${use.version}\``;
  if (!v || isUnverified(v))
    unknown(`could not verify ${label}${v ? ` (${said(v)})` : ""}`, viewerGrant(use.project, v));
  else if (v.state === "ENABLED")
    verdict.found.push(`${label}${use.version === "latest" && v.resolved ? ` (${v.resolved})` : ""} is ENABLED`);
  else if (v.state === "NOT_FOUND") block(`${label} does not exist`, gcloud.addSecretVersion(use.project, use.secret));
  else if (v.state === "DISABLED")
    block(
      `${label}${v.resolved && v.resolved !== use.version ? ` (${v.resolved})` : ""} is DISABLED`,
      gcloud.enableSecretVersion(use.project, use.secret, v.resolved ?? use.version),
    );
  else if (v.state === "DESTROYED") {
    block(
      `${label} is DESTROYED and cannot come ` +
        `back${use.version === "latest" ? "" : "; point the reference at `latest` after adding a version"}`,
      gcloud.addSecretVersion(use.project, use.secret),
    );
  } else unknown(`${label} is in state ${v.state}`);

  if (!account) {
    unknown(
      "could not tell which service account runs the service (no account on it, and the project's number is unknown)",
    );
    return verdict;
  }
  const member = `serviceAccount:${account}`;
  const on = (members: string[]) =>
    members.includes(member)
      ? "yes"
      : members.includes(`?${member}`)
        ? "conditional"
        : members.includes(`editor:${member}`)
          ? "editor"
          : "no";
  const accessors = fact.accessors ?? {
    unverified: { reason: "error", detail: "the secret's IAM policy was not read" },
  };
  if (isUnverified(accessors)) {
    unknown(
      `could not verify that \`${account}\` may read the secret (${said(accessors)})`,
      viewerGrant(use.project, accessors),
    );
    return verdict;
  }
  const onSecret = on(accessors);
  if (onSecret === "yes") {
    verdict.found.push(`\`${account}\` holds an access role on the secret`);
    return verdict;
  }
  const project = fact.projectAccessors;
  if (!project || isUnverified(project)) {
    unknown(
      `could not verify project-level access of \`${account}\` on ` +
        `\`${use.project}\`${project ? ` (${said(project)})` : ""}; it holds no access role on the secret itself, ` +
        `and \`${grant}\` would settle it`,
      grant,
    );
    return verdict;
  }
  const onProject = on(project);
  if (onProject === "yes") verdict.found.push(`\`${account}\` holds an access role on project \`${use.project}\``);
  else if (onSecret === "conditional" || onProject === "conditional")
    unknown(`\`${account}\`'s access role is granted under an IAM condition, which the app does not evaluate`, grant);
  else if (onSecret === "editor" || onProject === "editor")
    unknown(
      `\`${account}\` holds \`roles/editor\`, which the app does not count as access to secret values; \`${grant}\` ` +
        `settles it`,
      grant,
    );
  else
    block(
      `\`${account}\` may not read it (no role with \`secretmanager.versions.access\` on the secret or project ` +
        `\`${use.project}\`)`,
      grant,
    );
  return verdict;
}

/**
 * The grant that lets the app read Secret Manager metadata, when a refusal (not a project the operator excluded, not
 * a network fault) is why a question went unanswered.
 */
function viewerGrant(project: string, refusal: unknown): string | undefined {
  if (!isUnverified(refusal)) return undefined;
  const { reason, detail } = refusal.unverified;
  // The operator's policy refused the project: no grant settles that, the operator's setting does.
  return reason === "permission-denied" && !detail.includes(ALLOWED_PROJECTS_VAR)
    ? gcloud.grantAppRole(project, "roles/secretmanager.viewer")
    : undefined;
}

/** The sentence the diagnosis shows for the verdicts of one fix. */
export function describeVerdicts(verdicts: SecretVerdict[]): string {
  const found = verdicts.flatMap((v) => v.found).join("; ");
  if (verdicts.every((v) => v.status === "works")) return `✅ this fix will work: ${found}`;
  if (verdicts.some((v) => v.status === "blocked")) {
    const n = verdicts.reduce((sum, v) => sum + v.before.length, 0);
    const value = verdicts.some((v) => v.before.some((c) => c.includes(" versions add ")))
      ? "; `versions add` reads the value from standard input: a person types or pipes it, the app never sees it"
      : "";
    return (
      `⛔ the fix alone would fail (the next deploy stops with \`SECRETS_ACCESS_CHECK_FAILED\`): ${found}. Run the ` +
      `first ${n === 1 ? "command" : `${n} commands`} first, in order${value}`
    );
  }
  return `❔ not verified: ${found}`;
}

/** The account a use runs as: the one named on the service, else the project's default compute account. */
export function runtimeAccount(u: SecretUse, projectNumbers: Record<string, string>): string | undefined {
  if (u.serviceAccount) return u.serviceAccount;
  const number = u.serviceProjectNumber ?? projectNumbers[u.serviceProject];
  return number ? `${number}-compute@developer.gserviceaccount.com` : undefined;
}
