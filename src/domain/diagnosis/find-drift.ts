import { environmentSuffixes } from "./resolve-requirements.js";
import type { EnvEntry, LiveState, ServiceSnapshot } from "./live-state.js";
import * as gcloud from "./gcloud-commands.js";
import type { Problem, EvaluateOptions } from "./diagnosis.js";
import { defaultSecretName, commandTarget, secretUse, servingContainer, templateEnv } from "./snapshot-facts.js";
import { stripEnvironmentSuffix } from "./check-variable.js";

/** Drift: variables one environment's service has that the same service in another environment lacks. */

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
