import { distance } from "fastest-levenshtein";
import { environmentSuffixes, type ResolvedRequirement } from "./resolve-requirements.js";
import type { ContainerSnapshot, ServiceSnapshot, ServiceState, ServiceTarget, ValueSource } from "./live-state.js";
import * as gcloud from "./gcloud-commands.js";
import type { VariableResult, Problem } from "./diagnosis.js";
import {
  defaultSecretName,
  commandTarget,
  pointerOf,
  secretUse,
  servingContainer,
  where,
  pct,
} from "./snapshot-facts.js";
import { CANNOT_CHECK_WHAT, said, cannotReadFix } from "./cannot-check.js";

/** One check on one service: is the variable set, from the right source, on every revision that serves? */

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

/** One check on one service: its result, and the problems it found (missing, wrong source or version, not serving). */
export function evaluateVariable(
  check: ResolvedRequirement,
  state: ServiceState,
): { result: VariableResult; problems: Problem[] } {
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
  check: ResolvedRequirement,
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
