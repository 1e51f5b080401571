import type { Requirement, Config } from "../config/schema.js";
import type { ServiceTarget } from "./live-state.js";

/** A requirement (a `checks:` entry, or a variable the issue names) resolved to concrete environments and services. */
export interface ResolvedRequirement {
  variable: string;
  aliases: string[];
  from: Requirement["from"];
  secret?: string;
  /** The Secret Manager version the reference must use (`latest`, or a number). */
  version?: string;
  why?: string;
  /** `config` for requirements from the file, `issue` for variables named in the issue's text. */
  origin: "config" | "issue";
  targets: ServiceTarget[];
}

/** Known spellings of environment names in variable suffixes, e.g. `_PROD` for production. */
const SUFFIX_ALIASES: Record<string, string[]> = {
  production: ["PRODUCTION", "PROD", "PRD"],
  staging: ["STAGING", "STAGE", "STG"],
  development: ["DEVELOPMENT", "DEV"],
  testing: ["TESTING", "TEST", "QA"],
};

/** The upper-case suffixes that mark a variable as belonging to one environment. */
export function environmentSuffixes(environment: string): string[] {
  const own = environment.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return [...new Set([own, ...(SUFFIX_ALIASES[environment.toLowerCase()] ?? [])])];
}

/**
 * Environment variable names written in backticks in the issue (`JWT_SECRET_STAGING`). Only UPPER_SNAKE names with an
 * underscore count, so ordinary code in backticks (`npm test`, `main`) is not mistaken for a variable.
 */
export function mentionedVariables(text: string): string[] {
  const names = new Set<string>();
  // Fenced blocks are logs and code, not statements about configuration.
  const prose = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
  for (const m of prose.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)) names.add(m[1]);
  return [...names];
}

/** At most this many variables are taken from an issue's text; the comment names the ones left out. */
export const MAX_ISSUE_VARIABLES = 25;
/** A longer "name" is not taken from the text (Cloud Run's own names are far shorter). */
export const MAX_VARIABLE_NAME = 100;

/**
 * The variables named in the issue that no configured requirement covers, split into those checked (the first
 * `MAX_ISSUE_VARIABLES`, in the order the text names them) and those left out (the rest, and names too long to be one).
 */
export function issueVariables(
  config: Config,
  issue: { title: string; body: string | null },
): { taken: string[]; leftOut: string[] } {
  const covered = new Set(config.checks.flatMap((c) => [c.variable, ...c.aliases]));
  const named = mentionedVariables(`${issue.title}\n${issue.body ?? ""}`).filter((v) => !covered.has(v));
  const plausible = named.filter((v) => v.length <= MAX_VARIABLE_NAME);
  const taken = new Set(plausible.slice(0, MAX_ISSUE_VARIABLES));
  return { taken: [...taken], leftOut: named.filter((v) => !taken.has(v)) };
}

/** The configured environments whose names appear as words in the issue's text. */
export function mentionedEnvironments(text: string, environments: string[]): string[] {
  const lower = text.toLowerCase();
  return environments.filter((env) =>
    new RegExp(`(^|[^a-z0-9])${escapeRegExp(env.toLowerCase())}([^a-z0-9]|$)`).test(lower),
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function targetsOf(config: Config, environments: string[], services?: string[]): ServiceTarget[] {
  return environments.flatMap((environment) => {
    const env = config.environments[environment];
    if (!env) return [];
    return env.services
      .filter((service) => !services || services.includes(service))
      .map((service) => ({ environment, project: env.project, region: env.region, service }));
  });
}

/**
 * Resolves the configured requirements (the `checks:` list), plus the variables the issue names, to the services they
 * apply to.
 *
 * A variable named in the issue is checked on the environment its suffix names (`_STAGING` -> staging); otherwise on
 * the environments the issue names; otherwise on every environment. Variables a configured requirement already covers
 * are not checked twice; at most `MAX_ISSUE_VARIABLES` are taken from the text (see `issueVariables`).
 */
export function resolveRequirements(
  config: Config,
  issue: { title: string; body: string | null },
): ResolvedRequirement[] {
  const envNames = Object.keys(config.environments);
  const resolved: ResolvedRequirement[] = config.checks.map((requirement) => ({
    variable: requirement.variable,
    aliases: requirement.aliases,
    from: requirement.from,
    secret: requirement.secret,
    version: requirement.version,
    why: requirement.why,
    origin: "config",
    targets: targetsOf(config, requirement.environments ?? envNames, requirement.services),
  }));
  const text = `${issue.title}\n${issue.body ?? ""}`;
  const named = mentionedEnvironments(text, envNames);
  for (const variable of issueVariables(config, issue).taken) {
    const bySuffix = envNames.filter((env) =>
      environmentSuffixes(env).some((suffix) => variable.endsWith(`_${suffix}`)),
    );
    const environments = bySuffix.length ? bySuffix : named.length ? named : envNames;
    resolved.push({ variable, aliases: [], from: "any", origin: "issue", targets: targetsOf(config, environments) });
  }
  return resolved;
}

/** Every service any resolved requirement names, once each, in config order. */
export function targetsToFetch(requirements: ResolvedRequirement[]): ServiceTarget[] {
  const seen = new Map<string, ServiceTarget>();
  for (const t of requirements.flatMap((c) => c.targets))
    seen.set(`${t.project}/${t.region}/${t.service}/${t.environment}`, t);
  return [...seen.values()];
}
