import { distance } from "fastest-levenshtein";
import { environmentSuffixes, type EffectiveCheck } from "./plan-checks.js";
import type {
  CannotCheckReason,
  CannotRead,
  ContainerSnapshot,
  EnvEntry,
  LiveState,
  RevisionSnapshot,
  ServiceSnapshot,
  ServiceState,
  ServiceTarget,
  ValueSource,
} from "./types.js";

/** What one check found on one service. `not-serving`: in the template, but absent from a revision that serves traffic. */
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
  /** A shell command that fixes it, or undefined when there is no single command (then `why` says what to do). */
  fix?: string;
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
  "not-found": "the service does not exist in this project and region (check the name, project and region in the config)",
  "permission-denied": "the app's service account may not read this service",
  "api-disabled":
    "Google refuses every Cloud Run call in this project until the Cloud Run Admin API is enabled there; " +
    "no IAM grant changes that",
  unauthenticated:
    "the app found no valid Google credentials (Application Default Credentials). Where the app runs on Cloud Run, " +
    "the service's own service account is used with no setup; on another host, sign in as below, or set " +
    "GOOGLE_APPLICATION_CREDENTIALS to a service account key or credential configuration file",
  unreachable: "Cloud Run did not answer in time; this is neither a pass nor a failure, and the next check will try again",
  error: "Cloud Run answered with an unexpected error",
  snapshot: "this environment is read from a snapshot file, and the file does not describe the service",
};

/** `JWT_SECRET_STAGING` -> `jwt-secret-staging`, the default Secret Manager name in fix commands. */
export function defaultSecretName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, "-");
}

function gcloudUpdate(t: ServiceTarget, flags: string): string {
  return `gcloud run services update ${t.service} --project=${t.project} --region=${t.region} ${flags}`;
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
function lookup(container: ContainerSnapshot | undefined, names: string[], secret: string): { name: string; source: ValueSource } | undefined {
  if (!container) return undefined;
  const entry = names.map((n) => container.env.find((e) => e.name === n)).find(Boolean);
  if (entry) return entry;
  const mount = container.secretMounts.find((m) => m.secret === secret);
  return mount ? { name: names[0], source: { kind: "file", secret: mount.secret, version: mount.version, path: mount.path } } : undefined;
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

function secretFlag(entry: { name: string; source: ValueSource }, fallbackSecret: string, version = "latest"): string {
  const secret = entry.source.kind === "literal" ? fallbackSecret : entry.source.secret;
  return `${entry.name}=${secret}:${version}`;
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
  const why = check.why ?? `the service reads \`${check.variable}\` at start-up; without it, requests that need it fail`;
  const keyOf = (kind: string, name = check.variable) => `${kind}:${target.environment}:${target.service}:${name}`;

  if (!entry) {
    const aliasNote = check.aliases.length ? ` (also looked for ${check.aliases.map((a) => `\`${a}\``).join(", ")})` : "";
    const sidecar = snapshot.template.containers.find((c) => !c.serving && lookup(c, names, secret));
    const allNames = snapshot.template.containers.flatMap((c) => c.env.map((e) => e.name));
    const near = nearMisses(check.variable, [...new Set(allNames)], target.environment)[0];
    const nearEntry = near ? snapshot.template.containers.flatMap((c) => c.env).find((e) => e.name === near) : undefined;
    let what = `\`${check.variable}\` is missing on ${where(target)}${aliasNote}`;
    let fix =
      check.from === "literal"
        ? gcloudUpdate(target, `--update-env-vars=${check.variable}=VALUE`)
        : gcloudUpdate(target, `--update-secrets=${check.variable}=${secret}:${check.version ?? "latest"}`);
    let problemWhy = why;
    if (sidecar) {
      what += `: it is set only on the sidecar \`${sidecar.name}\`, not on the serving container`;
      fix += ` --container=${container?.name ?? "SERVING_CONTAINER"}`;
      problemWhy += "; each container has its own environment, and a sidecar's variables are invisible to the serving container";
    } else if (near && nearEntry) {
      what += `: did you mean \`${near}\`, which is set?`;
      fix =
        nearEntry.source.kind === "secret"
          ? gcloudUpdate(target, `--remove-secrets=${near} --update-secrets=${check.variable}=${nearEntry.source.secret}:${nearEntry.source.version}`)
          : gcloudUpdate(target, `--remove-env-vars=${near} --update-secrets=${check.variable}=${secret}:latest`);
      problemWhy += `; \`${near}\` looks like the same setting under another name, which the code does not read`;
    }
    return {
      result: { ...base, status: "missing", container: container?.name },
      problems: [{ severity: "fail", what, target, container: container?.name, why: problemWhy, fix, key: keyOf("missing") }],
    };
  }

  const result: VariableResult = { ...base, status: "set", foundAs: entry.name, source: entry.source, container: container?.name };
  const problems: Problem[] = [];
  const fromSecret = entry.source.kind !== "literal";
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
          ? "a literal value is visible to anyone who can read the service's configuration and is not rotated with the secret"
          : "the configuration asks for a literal value here",
      fix:
        check.from === "secret-manager"
          ? gcloudUpdate(target, `--remove-env-vars=${entry.name} --update-secrets=${entry.name}=${secret}:latest`)
          : gcloudUpdate(target, `--remove-secrets=${entry.name} --update-env-vars=${entry.name}=VALUE`),
      key: keyOf("source", entry.name),
    });
  }
  if (check.version && entry.source.kind !== "literal" && entry.source.version !== check.version) {
    result.status = "wrong-source";
    const s = entry.source;
    problems.push({
      severity: "fail",
      what: `\`${entry.name}\` on ${where(target)} uses version \`${s.version}\` of secret \`${s.secret}\`, but the configuration asks for \`${check.version}\``,
      target,
      container: container?.name,
      why:
        check.version === "latest"
          ? "a reference pinned to an old version keeps serving the old value after the secret is rotated"
          : `the configuration pins this reference to version ${check.version}`,
      fix:
        s.kind === "file"
          ? `gcloud run services update ${target.service} --project=${target.project} --region=${target.region} --update-secrets=${s.path}=${s.secret}:${check.version}`
          : gcloudUpdate(target, `--update-secrets=${entry.name}=${s.secret}:${check.version}`),
      key: keyOf("version", entry.name),
    });
  }
  problems.push(...servingProblems(check, snapshot, entry, secret));
  if (problems.some((p) => p.key.startsWith("serving:"))) result.status = "not-serving";
  return { result, problems };
}

/** The variable is in the template: is it on every revision that serves traffic? */
function servingProblems(check: EffectiveCheck, s: ServiceSnapshot, entry: { name: string; source: ValueSource }, secret: string): Problem[] {
  const names = [check.variable, ...check.aliases];
  const problems: Problem[] = [];
  const target: ServiceTarget = s;
  for (const share of s.traffic) {
    const revision = s.revisions[share.revision];
    if (!revision || lookup(servingContainer(revision), names, secret)) continue;
    const latest = s.latestReadyRevision ? s.revisions[s.latestReadyRevision] : undefined;
    const latestHasIt = share.revision !== s.latestReadyRevision && latest && lookup(servingContainer(latest), names, secret);
    const redeploy =
      entry.source.kind === "literal"
        ? gcloudUpdate(target, `--update-env-vars=${entry.name}=VALUE`)
        : entry.source.kind === "secret"
          ? gcloudUpdate(target, `--update-secrets=${secretFlag(entry, secret, entry.source.version)}`)
          : gcloudUpdate(target, `--update-secrets=${entry.source.path}=${entry.source.secret}:${entry.source.version}`);
    problems.push({
      severity: "fail",
      what: `\`${check.variable}\` is in the template of ${where(target)} but missing on revision \`${share.revision}\`, which serves ${pct(share.percent)} of traffic`,
      target,
      revision: share.revision,
      container: servingContainer(revision)?.name,
      why: latestHasIt
        ? `traffic is pinned to an old revision; the latest ready revision \`${s.latestReadyRevision}\` has the variable but receives only part of the traffic`
        : `no revision with the variable became ready${s.latestCreatedRevision !== s.latestReadyRevision ? ` (the latest, \`${s.latestCreatedRevision}\`, failed)` : ""}, so users still reach a revision without it; fix the rollout and deploy again`,
      fix: latestHasIt ? `gcloud run services update-traffic ${s.service} --project=${s.project} --region=${s.region} --to-latest` : redeploy,
      key: `serving:${s.environment}:${s.service}:${check.variable}:${share.revision}`,
    });
  }
  for (const [revision, error] of Object.entries(s.revisionErrors ?? {})) {
    const share = s.traffic.find((t) => t.revision === revision);
    const by = said(error.reason, error.source);
    problems.push({
      severity: "cannot-check",
      what: `could not read revision \`${revision}\` of ${where(target)}${share ? ` (${pct(share.percent)} of traffic)` : ""}: ${CANNOT_CHECK_WHAT[error.reason]}${error.permission ? ` (missing IAM permission \`${error.permission}\` on project \`${s.project}\`)` : ""}`,
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
      return grantViewer(t.project);
    case "api-disabled":
      return `gcloud services enable ${error.service ?? "run.googleapis.com"} --project=${t.project}`;
    case "unauthenticated":
      // A GOOGLE_APPLICATION_CREDENTIALS that names a bad file wins over a gcloud login: no login fixes that.
      return error.credentialsFile ? undefined : "gcloud auth application-default login";
    case "not-found":
      return `gcloud run services list --project=${t.project} --region=${t.region}`;
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

function grantViewer(project: string): string {
  return `gcloud projects add-iam-policy-binding ${project} --member=serviceAccount:SERVICE_ACCOUNT --role=roles/run.viewer`;
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
      what: `the latest rollout of ${where(target)} failed: revision \`${s.latestCreatedRevision}\` is not ready${cond?.reason ? ` (${cond.reason})` : ""}, so \`${s.latestReadyRevision ?? "no revision"}\` still serves`,
      target,
      revision: s.latestCreatedRevision,
      why: `changes made since \`${s.latestReadyRevision ?? "the first deploy"}\` are not live. Cloud Run said: ${cond?.message ?? "the revision is not ready"}`,
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
      what: `a rollout of ${where(target)} is still in progress${s.generation !== s.observedGeneration ? ` (generation ${s.generation}, Cloud Run has applied ${s.observedGeneration ?? "none"})` : ""}`,
      target,
      why: "what serves may change in the next minutes; check again when the rollout is done",
      fix: `gcloud run services describe ${s.service} --project=${s.project} --region=${s.region} --format="value(status.conditions)"`,
      key: key("reconciling"),
    });
  }
  return problems;
}

/** The fix for a failed revision, from Cloud Run's own message where it names a secret and a service account. */
function rolloutFix(s: ServiceSnapshot, message: string): string {
  const secret = /secrets\/([^/\s]+)\/versions\/([^\s]+)/.exec(message);
  const account = /service account ([^\s.]+(?:\.[^\s.]+)*@[^\s]+?)\.?(\s|$)/.exec(message);
  if (secret && /permission denied/i.test(message)) {
    return `gcloud secrets add-iam-policy-binding ${secret[1]} --project=${s.project} --member=serviceAccount:${account?.[1] ?? "SERVICE_ACCOUNT"} --role=roles/secretmanager.secretAccessor`;
  }
  if (secret && /not found/i.test(message)) {
    return secret[2] === "latest"
      ? `printf '%s' "$VALUE" | gcloud secrets create ${secret[1]} --project=${s.project} --data-file=-`
      : `gcloud run services update ${s.service} --project=${s.project} --region=${s.region} --update-secrets=VARIABLE=${secret[1]}:latest`;
  }
  return `gcloud run revisions describe ${s.latestCreatedRevision ?? s.latestReadyRevision ?? ""} --project=${s.project} --region=${s.region}`;
}

function cannotCheckProblem(state: Extract<ServiceState, { kind: "cannot-check" }>): Problem {
  const t = state.target;
  const permission = state.permission ? ` (missing IAM permission \`${state.permission}\` on project \`${t.project}\`)` : "";
  const suggestion = state.suggestions?.length ? `: did you mean ${state.suggestions.map((s) => `\`${s}\``).join(" or ")}?` : "";
  const fix = cannotReadFix(state, t);
  const why =
    state.reason === "not-found" && state.suggestions?.length
      ? `no service \`${t.service}\` in project \`${t.project}\`, region \`${t.region}\`; correct its name under \`environments.${t.environment}.services\` in \`.github/config-triage.yml\``
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
    what: `the health check of ${where(t)} failed: ${h.status !== undefined ? `HTTP ${h.status}` : h.error ?? "no answer"} after ${h.latencyMs} ms`,
    target: t,
    revision: state.snapshot.latestReadyRevision,
    why: `\`${h.url}\` should answer 2xx; users probably see errors too`,
    fix: `gcloud run services logs read ${t.service} --project=${t.project} --region=${t.region} --limit=50`,
    key: `health:${t.environment}:${t.service}`,
  };
}

/**
 * The variable names (never values) one environment's service has that another environment's same service lacks,
 * with environment suffixes normalised (`JWT_SECRET_STAGING` on staging ~ `JWT_SECRET_PRODUCTION` on production).
 */
export function driftProblems(live: LiveState, reported: Set<string> = new Set()): Problem[] {
  const byService = new Map<string, ServiceSnapshot[]>();
  for (const state of live.services) {
    if (state.kind !== "ok") continue;
    byService.set(state.snapshot.service, [...(byService.get(state.snapshot.service) ?? []), state.snapshot]);
  }
  const problems: Problem[] = [];
  for (const snapshots of byService.values()) {
    for (const a of snapshots) {
      for (const b of snapshots) {
        if (a === b) continue;
        const bases = (s: ServiceSnapshot) => new Map(templateEnv(s).map((e) => [stripEnvironmentSuffix(e.name, s.environment), e]));
        const theirs = bases(b);
        const lacking = [...bases(a)].filter(
          ([base, e]) => !theirs.has(base) && !reported.has(`${b.environment}:${b.service}:${base === e.name ? e.name : `${base}_${environmentSuffixes(b.environment)[0]}`}`),
        );
        if (!lacking.length) continue;
        const renamed = lacking.map(([base, e]) => ({ name: base === e.name ? e.name : `${base}_${environmentSuffixes(b.environment)[0]}`, source: e.source }));
        const flags = renamed.map((e) =>
          e.source.kind === "literal" ? `--update-env-vars=${e.name}=VALUE` : `--update-secrets=${e.name}=${defaultSecretName(e.name)}:latest`,
        );
        problems.push({
          severity: "warn",
          what: `${b.environment} / ${b.service} lacks ${renamed.map((e) => `\`${e.name}\``).join(", ")}, which ${a.environment} has`,
          target: b,
          why: `the same service is configured differently in ${a.environment} and ${b.environment} (names compared with environment suffixes removed; values are never compared)`,
          fix: gcloudUpdate(b, [...new Set(flags)].join(" ")),
          key: `drift:${a.environment}>${b.environment}:${b.service}`,
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

/** The pure diagnosis: which checks pass on which services, and what to do about each problem. */
export function evaluate(checks: EffectiveCheck[], live: LiveState): Diagnosis {
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
  const missing = new Set(results.filter((r) => r.status === "missing").map((r) => `${r.target.environment}:${r.target.service}:${r.variable}`));
  problems.push(...driftProblems(live, missing));
  const seen = new Set<string>();
  const unique = problems.filter((p) => !seen.has(p.key) && seen.add(p.key));
  const failing = unique.some((p) => p.severity === "fail");
  const incomplete = unique.some((p) => p.severity === "cannot-check");
  const verdict: Verdict = failing ? "fail" : incomplete ? "incomplete" : results.length ? "pass" : "nothing-to-check";
  return { source: live.source, fetchedAt: live.fetchedAt, results, problems: unique, verdict };
}
