import { readFileSync } from "node:fs";
import type { ConfigProblem } from "./parse-config.js";
import { CONFIG_PATH, type Config } from "./schema.js";

/** The deployment settings that say which GCP projects each installation may check. */
export const ALLOWED_PROJECTS_VAR = "CONFIG_TRIAGE_ALLOWED_PROJECTS";
export const ALLOWED_PROJECTS_FILE_VAR = "CONFIG_TRIAGE_ALLOWED_PROJECTS_FILE";

/**
 * Which GCP projects the app's one Google identity may read for which repositories, as the operator configured it.
 * Rules are keyed by `owner` (every repository of an organisation or user), `owner/repo`, or `*` (every installation);
 * a project `*` allows any project. No rule: nothing is allowed.
 */
export interface ProjectPolicy {
  rules: Map<string, Set<string>>;
}

/** `*`, or a GCP project id: 6 to 30 lowercase letters, digits and hyphens, a letter first, no hyphen last. */
const PROJECT = String.raw`(?:\*|[a-z][a-z0-9-]{4,28}[a-z0-9])`;
/** `owner=project,project…`, the owner being `*`, `owner` or `owner/repo`. */
const RULE = new RegExp(String.raw`^(\*|[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?)=(${PROJECT}(?:,${PROJECT})*)$`);

/**
 * Parses rules such as `acme=acme-staging,acme-production acme/billing=billing-prod`: whitespace, `;` or new lines
 * between rules, `#` starts a comment. Throws with the offending rule, so a typo stops the server at start.
 */
export function parseAllowedProjects(text: string, source = ALLOWED_PROJECTS_VAR): ProjectPolicy {
  const rules = new Map<string, Set<string>>();
  const cleaned = text.replace(/#.*$/gm, "");
  for (const rule of cleaned.split(/[\s;]+/).filter(Boolean)) {
    const match = RULE.exec(rule);
    if (!match) {
      throw new Error(
        `${source}: "${rule}" is not a rule: write OWNER=PROJECT[,PROJECT...] or OWNER/REPO=PROJECT[,...] ` +
          "(GCP project ids; `*` for any installation or any project), rules separated by spaces",
      );
    }
    const key = match[1].toLowerCase();
    const set = rules.get(key) ?? new Set<string>();
    for (const project of match[2].split(",")) set.add(project);
    rules.set(key, set);
  }
  return { rules };
}

/** The operator's policy from the environment: the variable, else the file it names; no setting allows nothing. */
export function readAllowedProjects(env: NodeJS.ProcessEnv): ProjectPolicy {
  const inline = env[ALLOWED_PROJECTS_VAR];
  const file = env[ALLOWED_PROJECTS_FILE_VAR];
  if (inline && file) throw new Error(`set ${ALLOWED_PROJECTS_VAR} or ${ALLOWED_PROJECTS_FILE_VAR}, not both`);
  if (file) return parseAllowedProjects(readFileSync(file, "utf8"), `${ALLOWED_PROJECTS_FILE_VAR} (${file})`);
  return parseAllowedProjects(inline ?? "");
}

/** Whether `owner/repo` may check `project`. */
export function mayCheckProject(policy: ProjectPolicy, owner: string, repo: string, project: string): boolean {
  const keys = ["*", owner.toLowerCase(), `${owner}/${repo}`.toLowerCase()];
  return keys.some((key) => {
    const allowed = policy.rules.get(key);
    return Boolean(allowed && (allowed.has("*") || allowed.has(project)));
  });
}

/**
 * One problem per live environment whose project the operator has not allowed for this repository. Snapshot
 * environments are read from the repository, not with the app's Google identity, so they need no permission.
 */
export function refusedProjects(config: Config, policy: ProjectPolicy, owner: string, repo: string): ConfigProblem[] {
  return Object.entries(config.environments).flatMap(([name, env]): ConfigProblem[] => {
    if (env.snapshot || mayCheckProject(policy, owner, repo, env.project)) return [];
    return [
      {
        file: CONFIG_PATH,
        path: `environments.${name}.project`,
        message:
          `this app's operator has not allowed \`${owner}/${repo}\` to check GCP project \`${env.project}\`, so ` +
          `nothing was read from it. The allowed projects are a setting of the app's deployment ` +
          `(\`${ALLOWED_PROJECTS_VAR}\`), not of this repository: ask the operator to add ` +
          `\`${owner}=${env.project}\` or \`${owner}/${repo}=${env.project}\`, or read environment \`${name}\` from ` +
          `a \`snapshot:\` file`,
      },
    ];
  });
}
