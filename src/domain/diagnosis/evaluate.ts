import { distance } from "fastest-levenshtein";
import * as gcloud from "./gcloud-commands.js";
import { environmentSuffixes, type EffectiveCheck } from "./plan-checks.js";
import { describeVerdicts, verifySecretUse } from "./verify-secret-use.js";
import type {
  CannotCheckReason,
  CannotRead,
  ContainerSnapshot,
  EnvEntry,
  LiveState,
  RevisionSnapshot,
  ServiceSnapshot,
  ServiceState,
  SecretUse,
  ServiceTarget,
  ValueSource,
} from "./live-state.js";

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
  origin: EffectiveCheck["origin"];
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

const CANNOT_CHECK_WHAT: Record<CannotCheckReason, string> = {
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

/** `JWT_SECRET_STAGING` -> `jwt-secret-staging`, the default Secret Manager name in fix commands. */
export function defaultSecretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}

/** Where a change goes: the container is named only for a service with several containers (gcloud's rule). */
function commandTarget(t: ServiceTarget, s: ServiceSnapshot | undefined, container?: string): gcloud.CommandTarget {
  return {
    project: t.project,
    region: t.region,
    service: t.service,
    container: s && s.template.containers.length > 1 ? container : undefined,
  };
}

/** The runtime service account the next revision runs as: the template's, else the latest ready revision's. */
function serviceAccountOf(s: ServiceSnapshot): string | undefined {
  const latest = s.latestReadyRevision ? s.revisions[s.latestReadyRevision] : undefined;
  return (
    s.template.serviceAccount ??
    latest?.serviceAccount ??
    (s.projectNumber ? defaultComputeAccount(s.projectNumber) : undefined)
  );
}

/** The account Cloud Run uses when a service names none. */
export function defaultComputeAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}

/**
 * A reference as a pointer; a project that is the service's own (by id or number) is dropped, so commands stay short.
 */
function pointerOf(
  s: ServiceSnapshot,
  ref: { secret: string; version: string; project?: string },
): gcloud.SecretPointer {
  const own = !ref.project || ref.project === s.project || ref.project === s.projectNumber;
  return { secret: ref.secret, version: ref.version, project: own ? undefined : ref.project };
}

function secretUse(s: ServiceSnapshot, pointer: gcloud.SecretPointer): SecretUse {
  return {
    project: pointer.project ?? s.project,
    secret: pointer.secret,
    version: pointer.version,
    serviceAccount: serviceAccountOf(s),
    serviceProject: s.project,
    serviceProjectNumber: s.projectNumber,
  };
}

function servingContainer(revision: RevisionSnapshot): ContainerSnapshot | undefined {
  return revision.containers.find((c) => c.serving);
}

function where(t: ServiceTarget): string {
  return `${t.environment} / ${t.service}`;
}

function pct(n: number): string {
  return `${n}%`;
}

/** How the variable (or an alias) is provided by a container: an env entry, or the check's secret mounted as a file. */
function lookup(
  container: ContainerSnapshot | undefined,
  names: string[],
  secret: string,
): { name: string; source: ValueSource } | undefined {
  if (!container) return undefined;
  const entry = names.map((n) => container.env.find((e) => e.name === n)).find(Boolean);
  if (entry) return entry;
  const mount = container.secretMounts.find((m) => m.secret === secret);
  return mount
    ? { name: names[0], source: { kind: "file", secret: mount.secret, version: mount.version, path: mount.path } }
    : undefined;
}

/** A variable name without the environment suffix it carries, e.g. `JWT_SECRET_STG` on staging -> `JWT_SECRET`. */
export function stripEnvironmentSuffix(name: string, environment: string): string {
  for (const suffix of environmentSuffixes(environment)) {
    if (name.endsWith(`_${suffix}`) && name.length > suffix.length + 1) return name.slice(0, -suffix.length - 1);
  }
  return name;
}

/**
 * Names that are probably the variable, misspelt (`JWT_SECRET_STAGIN`) or with another spelling of the environment
 * suffix (`JWT_SECRET_STG` for `JWT_SECRET_STAGING`), best first.
 */
export function nearMisses(variable: string, names: string[], environment: string): string[] {
  const base = stripEnvironmentSuffix(variable, environment);
  const limit = Math.max(1, Math.floor(variable.length / 6));
  return names
    .filter((n) => n !== variable)
    .map((n) => ({ n, d: stripEnvironmentSuffix(n, environment) === base && base !== n ? 0.5 : distance(variable, n) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .map(({ n }) => n);
}

function evaluateVariable(check: EffectiveCheck, state: ServiceState): { result: VariableResult; problems: Problem[] } {
  const target = state.target;
  const base = { variable: check.variable, target, origin: check.origin };
  if (state.kind === "cannot-check") return { result: { ...base, status: "cannot-check" }, problems: [] };
  const snapshot = state.snapshot;
  const container = servingContainer(snapshot.template);
  const names = [check.variable, ...check.aliases];
  const secret = check.secret ?? defaultSecretName(check.variable);
  const entry = lookup(container, names, secret);
  const why =
    check.why ?? `the service reads \`${check.variable}\` at start-up; without it, requests that need it fail`;
  const keyOf = (kind: string, name = check.variable) => `${kind}:${target.environment}:${target.service}:${name}`;

  if (!entry) {
    const aliasNote = check.aliases.length
      ? ` (also looked for ${check.aliases.map((a) => `\`${a}\``).join(", ")})`
      : "";
    const sidecar = snapshot.template.containers.find((c) => !c.serving && lookup(c, names, secret));
    const allNames = snapshot.template.containers.flatMap((c) => c.env.map((e) => e.name));
    const near = nearMisses(check.variable, [...new Set(allNames)], target.environment)[0];
    const nearEntry = near
      ? snapshot.template.containers.flatMap((c) => c.env).find((e) => e.name === near)
      : undefined;
    const at = commandTarget(target, snapshot, container?.name ?? "SERVING_CONTAINER");
    let what = `\`${check.variable}\` is missing on ${where(target)}${aliasNote}`;
    let pointer: gcloud.SecretPointer | undefined =
      check.from === "literal" ? undefined : { secret, version: check.version ?? "latest" };
    let fix = pointer ? gcloud.setSecret(at, check.variable, pointer) : gcloud.setLiteral(at, check.variable);
    let problemWhy = why;
    if (sidecar) {
      what += `: it is set only on the sidecar \`${sidecar.name}\`, not on the serving container`;
      problemWhy +=
        "; each container has its own environment, and a sidecar's variables are invisible to the serving container";
    } else if (near && nearEntry) {
      what += `: did you mean \`${near}\`, which is set?`;
      const s = nearEntry.source;
      pointer = s.kind === "secret" ? pointerOf(snapshot, s) : { secret, version: "latest" };
      fix = gcloud.renameVariable(at, { name: near, secret: s.kind === "secret" }, check.variable, pointer);
      problemWhy += `; \`${near}\` looks like the same setting under another name, which the code does not read`;
    }
    return {
      result: {
        ...base,
        status: "missing",
        container: container?.name,
        nearMiss: near && nearEntry && !sidecar ? near : undefined,
      },
      problems: [
        {
          severity: "fail",
          what,
          target,
          container: container?.name,
          why: problemWhy,
          fix,
          key: keyOf("missing"),
          secretUses: pointer ? [secretUse(snapshot, pointer)] : undefined,
        },
      ],
    };
  }

  const result: VariableResult = {
    ...base,
    status: "set",
    foundAs: entry.name,
    source: entry.source,
    container: container?.name,
  };
  const at = commandTarget(target, snapshot, container?.name);
  if (entry.source.kind !== "literal") result.secretUse = secretUse(snapshot, pointerOf(snapshot, entry.source));
  const problems: Problem[] = [];
  const fromSecret = entry.source.kind !== "literal";
  const wanted: gcloud.SecretPointer = { secret, version: check.version ?? "latest" };
  if ((check.from === "secret-manager" && !fromSecret) || (check.from === "literal" && fromSecret)) {
    result.status = "wrong-source";
    problems.push({
      severity: "fail",
      what:
        check.from === "secret-manager"
          ? `\`${entry.name}\` is a literal on ${where(target)}, but must come from Secret Manager`
          : `\`${entry.name}\` comes from Secret Manager on ${where(target)}, but must be a literal`,
      target,
      container: container?.name,
      why:
        check.from === "secret-manager"
          ? "a literal value is visible to anyone who can read the service's configuration and is not rotated " +
            "with the secret"
          : "the configuration asks for a literal value here",
      fix: (check.from === "secret-manager"
        ? gcloud.literalToSecret(at, entry.name, wanted)
        : gcloud.secretToLiteral(at, entry.name)
      ).join("\n"),
      key: keyOf("source", entry.name),
      secretUses: check.from === "secret-manager" ? [secretUse(snapshot, wanted)] : undefined,
    });
  }
  if (check.version && entry.source.kind !== "literal" && entry.source.version !== check.version) {
    result.status = "wrong-source";
    const s = entry.source;
    problems.push({
      severity: "fail",
      what:
        `\`${entry.name}\` on ${where(target)} uses version \`${s.version}\` of secret \`${s.secret}\`, but the ` +
        `configuration asks for \`${check.version}\``,
      target,
      container: container?.name,
      why:
        check.version === "latest"
          ? "a reference pinned to an old version keeps serving the old value after the secret is rotated"
          : `the configuration pins this reference to version ${check.version}`,
      fix: gcloud.setSecret(
        at,
        s.kind === "file" ? s.path : entry.name,
        pointerOf(snapshot, { ...s, version: check.version }),
      ),
      key: keyOf("version", entry.name),
      secretUses: [secretUse(snapshot, pointerOf(snapshot, { ...s, version: check.version }))],
    });
  }
  problems.push(...servingProblems(check, snapshot, entry, secret));
  if (problems.some((p) => p.key.startsWith("serving:"))) result.status = "not-serving";
  return { result, problems };
}

/**
 * The variable is in the template: is it on every revision that serves traffic? The fix depends on the latest ready
 * revision (read even at 0%): when it has the variable, traffic is pinned away from it and moving traffic is the fix
 * (`--to-latest`, or `--to-revisions=LATEST_READY=100` when the latest created revision failed, so that a retry of the
 * failed configuration does not take the traffic by itself); otherwise no ready revision has it and it takes a deploy.
 */
function servingProblems(
  check: EffectiveCheck,
  s: ServiceSnapshot,
  entry: { name: string; source: ValueSource },
  secret: string,
): Problem[] {
  const names = [check.variable, ...check.aliases];
  const problems: Problem[] = [];
  const target: ServiceTarget = s;
  const ready = s.latestReadyRevision;
  const latest = ready ? s.revisions[ready] : undefined;
  const latestHasIt = Boolean(latest && lookup(servingContainer(latest), names, secret));
  const latestShare = s.traffic.filter((t) => t.revision === ready).reduce((sum, t) => sum + t.percent, 0);
  const createdFailed = Boolean(s.latestCreatedRevision && s.latestCreatedRevision !== ready);
  for (const share of s.traffic) {
    const revision = s.revisions[share.revision];
    if (!revision || lookup(servingContainer(revision), names, secret)) continue;
    const at = commandTarget(target, s, servingContainer(s.template)?.name);
    const src = entry.source;
    const redeploy =
      src.kind === "literal"
        ? gcloud.setLiteral(at, entry.name)
        : gcloud.setSecret(at, src.kind === "file" ? src.path : entry.name, pointerOf(s, src));
    const pinned = latestHasIt && share.revision !== ready;
    const failedNote = createdFailed ? ` (the latest, \`${s.latestCreatedRevision}\`, failed)` : "";
    problems.push({
      severity: "fail",
      what:
        `\`${check.variable}\` is in the template of ${where(target)} but missing on revision \`${share.revision}\`, ` +
        `which serves ${pct(share.percent)} of traffic`,
      target,
      revision: share.revision,
      container: servingContainer(revision)?.name,
      why: pinned
        ? `traffic is pinned away from the latest ready revision \`${ready}\`, ` +
          `which has the variable but receives ${pct(latestShare)} of traffic (deployed with \`--no-traffic\`, ` +
          `or traffic set with \`update-traffic --to-revisions\`)` +
          (createdFailed
            ? `; the latest created revision \`${s.latestCreatedRevision}\` failed, ` +
              `so the fix names \`${ready}\` instead of following the latest`
            : "")
        : latest && share.revision !== ready
          ? `the latest ready revision \`${ready}\` lacks it too${failedNote}: ` +
            `no ready revision has the variable, so users still reach one without it; fix the rollout and deploy again`
          : ready && share.revision !== ready && !latest
            ? `the latest ready revision \`${ready}\` could not be read, ` +
              `so whether moving traffic to it would fix this is unknown; deploying again does`
            : `no revision with the variable became ready${failedNote}, ` +
              `so users still reach a revision without it; fix the rollout and deploy again`,
      fix: pinned ? (createdFailed ? gcloud.trafficToRevision(at, ready!) : gcloud.trafficToLatest(at)) : redeploy,
      key: `serving:${s.environment}:${s.service}:${check.variable}:${share.revision}`,
      secretUses: !pinned && src.kind !== "literal" ? [secretUse(s, pointerOf(s, src))] : undefined,
    });
  }
  for (const [revision, error] of Object.entries(s.revisionErrors ?? {})) {
    const share = s.traffic.find((t) => t.revision === revision);
    const by = said(error.reason, error.source);
    problems.push({
      severity: "cannot-check",
      what:
        `could not read revision \`${revision}\` of ${where(target)}` +
        `${share ? ` (${pct(share.percent)} of traffic)` : ""}: ${CANNOT_CHECK_WHAT[error.reason]}` +
        (error.permission ? ` (missing IAM permission \`${error.permission}\` on project \`${s.project}\`)` : ""),
      target,
      revision,
      why: `whether the checked variables are live on it is unknown. ${by} ${error.detail}`,
      fix: cannotReadFix(error, s),
      key: `cannot-revision:${s.environment}:${s.service}:${revision}`,
    });
  }
  return problems;
}

function said(reason: CannotCheckReason, source?: CannotRead["source"]): string {
  if (reason === "snapshot") return "In detail:";
  return source === "credentials" ? "Google's auth library said:" : "Cloud Run said:";
}

/** The command that lets the app read this target again, when one command does it. */
function cannotReadFix(error: CannotRead, t: ServiceTarget): string | undefined {
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

function cannotCheckProblem(state: Extract<ServiceState, { kind: "cannot-check" }>): Problem {
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

function healthProblem(state: Extract<ServiceState, { kind: "ok" }>): Problem | undefined {
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

/** Options of the diagnosis that come from the configuration rather than from Cloud Run. */
export interface EvaluateOptions {
  /** Explicit pairs of services across environments (`service_pairs` in the config), environment -> service. */
  servicePairs?: Record<string, string>[];
}

/**
 * A service name without the environment affix it carries: `api-staging` / `stg-api` on staging -> `api`. Used to
 * pair services across environments, as `stripEnvironmentSuffix` does for variable names.
 */
export function stripServiceAffix(service: string, environment: string): string {
  for (const affix of environmentSuffixes(environment).map((a) => a.toLowerCase().replace(/_/g, "-"))) {
    for (const sep of ["-", "_"]) {
      if (service.endsWith(`${sep}${affix}`) && service.length > affix.length + 1)
        return service.slice(0, -affix.length - 1);
      if (service.startsWith(`${affix}${sep}`) && service.length > affix.length + 1)
        return service.slice(affix.length + 1);
    }
  }
  return service;
}

/** Groups the services that are one service across environments: explicit pairs first, then names without affixes. */
function pairServices(
  live: LiveState,
  pairs: Record<string, string>[],
): { snapshots: ServiceSnapshot[]; explicit: boolean }[] {
  const ok = live.services.flatMap((s) => (s.kind === "ok" ? [s.snapshot] : []));
  const paired = new Set<ServiceSnapshot>();
  const groups: { snapshots: ServiceSnapshot[]; explicit: boolean }[] = [];
  for (const pair of pairs) {
    const members = ok.filter((s) => pair[s.environment] === s.service);
    for (const m of members) paired.add(m);
    groups.push({ snapshots: members, explicit: true });
  }
  const byBase = new Map<string, ServiceSnapshot[]>();
  for (const s of ok) {
    if (paired.has(s)) continue;
    const base = stripServiceAffix(s.service, s.environment);
    byBase.set(base, [...(byBase.get(base) ?? []), s]);
  }
  return [...groups, ...[...byBase.values()].map((snapshots) => ({ snapshots, explicit: false }))];
}

/**
 * The variable names (never values) one environment's service has that the same service in another environment
 * lacks, with environment suffixes normalised (`JWT_SECRET_STAGING` on staging ~ `JWT_SECRET_PRODUCTION` on
 * production). Services are paired by `service_pairs`, else by name without environment affixes. `reported` holds
 * what is already reported missing (`env:service:NAME`); `typos` holds names the near-miss check calls misspellings,
 * which are never proposed for another environment.
 */
export function driftProblems(
  live: LiveState,
  reported: Set<string> = new Set(),
  typos: Set<string> = new Set(),
  options: EvaluateOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  for (const { snapshots, explicit } of pairServices(live, options.servicePairs ?? [])) {
    for (const a of snapshots) {
      for (const b of snapshots) {
        if (a === b || a.environment === b.environment) continue;
        const bases = (s: ServiceSnapshot) =>
          new Map(templateEnv(s).map((e) => [stripEnvironmentSuffix(e.name, s.environment), e]));
        const theirs = bases(b);
        const nameIn = (base: string, e: EnvEntry) =>
          base === e.name ? e.name : `${base}_${environmentSuffixes(b.environment)[0]}`;
        const lacking = [...bases(a)].filter(
          ([base, e]) =>
            !theirs.has(base) &&
            !typos.has(`${a.environment}:${a.service}:${e.name}`) &&
            !reported.has(`${b.environment}:${b.service}:${nameIn(base, e)}`),
        );
        if (!lacking.length) continue;
        const renamed = lacking.map(([base, e]) => ({ name: nameIn(base, e), source: e.source }));
        const at = commandTarget(b, b, servingContainer(b.template)?.name);
        const pointers = renamed.flatMap((e) =>
          e.source.kind === "literal" ? [] : [{ secret: defaultSecretName(e.name), version: "latest" }],
        );
        const flags = renamed.map((e) =>
          e.source.kind === "literal"
            ? gcloud.literalFlag(e.name)
            : gcloud.secretFlag(b, e.name, { secret: defaultSecretName(e.name), version: "latest" }),
        );
        const pairing =
          a.service === b.service
            ? ""
            : explicit
              ? ` \`${a.service}\` in ${a.environment} is paired with \`${b.service}\` in ${b.environment} by ` +
                `\`service_pairs\` in the config.`
              : ` \`${a.service}\` in ${a.environment} is paired with \`${b.service}\` in ${b.environment}: ` +
                `their names match without the environment affix.`;
        problems.push({
          severity: "warn",
          what:
            `${b.environment} / ${b.service} lacks ${renamed.map((e) => `\`${e.name}\``).join(", ")}, which ` +
            `${a.environment}${a.service === b.service ? "" : ` / ${a.service}`} has`,
          target: b,
          why: (
            `the same service is configured differently in ${a.environment} and ${b.environment} (names compared ` +
            `with environment suffixes removed; values are never compared).${pairing}`
          ).replace(/\.$/, ""),
          fix: gcloud.updateService(at, [...new Set(flags)]),
          key: `drift:${a.environment}>${b.environment}:${b.service}`,
          secretUses: pointers.length ? pointers.map((p) => secretUse(b, p)) : undefined,
        });
      }
    }
  }
  return problems;
}

function templateEnv(s: ServiceSnapshot): EnvEntry[] {
  return s.template.containers.flatMap((c) => c.env);
}

function sameTarget(a: ServiceTarget, b: ServiceTarget): boolean {
  return a.environment === b.environment && a.project === b.project && a.region === b.region && a.service === b.service;
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

/**
 * With what Secret Manager said (`live.secrets`): each fix that relies on a secret says whether it will work, or gets
 * the commands that must run first; each secret a service already reads is checked too, since a DISABLED version or a
 * lost grant fails its next deploy. Returns the problems about configured references.
 */
function verifySecrets(results: VariableResult[], problems: Problem[], live: LiveState): Problem[] {
  const facts = live.secrets ?? [];
  const numbers = live.projectNumbers ?? {};
  const offline = live.services.filter((s) => s.origin).map((s) => s.target);
  const isOffline = (t: ServiceTarget) => offline.some((o) => sameTarget(o, t));
  for (const p of problems) {
    if (!p.secretUses?.length) continue;
    if (isOffline(p.target)) {
      p.verified = "❔ not verified: this environment is read from a snapshot, and the check makes no live call for it";
      continue;
    }
    const verdicts = p.secretUses.map((u) => verifySecretUse(u, facts, numbers));
    p.verified = describeVerdicts(verdicts);
    const before = [...new Set(verdicts.flatMap((v) => v.before))];
    if (before.length && p.fix) p.fix = [...before, p.fix].join("\n");
  }
  const found: Problem[] = [];
  for (const r of results) {
    if (!r.secretUse || !r.source || r.source.kind === "literal" || isOffline(r.target)) continue;
    const replaced = problems.some(
      (p) => p.target === r.target && /^(source|version):/.test(p.key) && p.key.endsWith(`:${r.foundAs}`),
    );
    if (replaced) continue;
    const v = verifySecretUse(r.secretUse, facts, numbers);
    if (v.status === "works") continue;
    const t = r.target;
    const ref = `secret \`${r.secretUse.secret}\` version \`${r.secretUse.version}\``;
    found.push(
      v.status === "blocked"
        ? {
            severity: "fail",
            what:
              `\`${r.foundAs}\` on ${where(t)} reads ${ref}, which its next deploy cannot read: ` +
              `${v.found.filter((f) => !/exists in|is ENABLED|holds an access/.test(f)).join("; ")}`,
            target: t,
            container: r.container,
            why:
              `Cloud Run checks every secret at deploy: the next deploy of ${t.service} (and each new instance, for ` +
              `a variable) fails with \`SECRETS_ACCESS_CHECK_FAILED\`, although the service looks configured`,
            fix: v.before.join("\n"),
            key: `secret:${t.environment}:${t.service}:${r.foundAs}`,
          }
        : {
            severity: "warn",
            what: `could not verify ${ref}, which \`${r.foundAs}\` on ${where(t)} reads`,
            target: t,
            container: r.container,
            why:
              `${v.found.join("; ")}. The app reads Secret Manager metadata with \`roles/secretmanager.viewer\`; a ` +
              `question it could not ask is not counted as missing`,
            fix: v.settle,
            key: `secret-unverified:${t.environment}:${t.service}:${r.foundAs}`,
          },
    );
  }
  return found;
}

/** The pure diagnosis: which checks pass on which services, and what to do about each problem. */
export function evaluate(checks: EffectiveCheck[], live: LiveState, options: EvaluateOptions = {}): Diagnosis {
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
  for (const check of checks) {
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
