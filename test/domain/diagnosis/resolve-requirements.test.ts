import { describe, expect, it } from "@jest/globals";
import { parseConfigText } from "../../../src/domain/config/parse-config.js";
import type { Config } from "../../../src/domain/config/schema.js";
import {
  environmentSuffixes,
  issueVariables,
  MAX_ISSUE_VARIABLES,
  mentionedEnvironments,
  mentionedVariables,
  resolveRequirements,
  targetsToFetch,
  type ResolvedRequirement,
} from "../../../src/domain/diagnosis/resolve-requirements.js";
import type { ServiceTarget } from "../../../src/domain/diagnosis/live-state.js";
import { scenarioConfigYaml, scenarioIssue } from "../../../dev/scenario.js";

function config(yaml: string): Config {
  const result = parseConfigText(yaml);
  if (!result.ok) throw new Error(`test config does not parse: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/** Two environments with one backend each: the shape of the issue #930 repository without configured checks. */
const TWO_ENVS = config(`environments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
  production:
    project: netra-production
    region: us-central1
    services: [netra-backend]
`);

const STAGING_BACKEND: ServiceTarget = {
  environment: "staging",
  project: "netra-staging",
  region: "us-central1",
  service: "netra-backend",
};
const PRODUCTION_BACKEND: ServiceTarget = {
  environment: "production",
  project: "netra-production",
  region: "us-central1",
  service: "netra-backend",
};
const STAGING_AUTH: ServiceTarget = { ...STAGING_BACKEND, service: "auth-service" };
const PRODUCTION_AUTH: ServiceTarget = { ...PRODUCTION_BACKEND, service: "auth-service" };

describe("mentionedVariables", () => {
  it.each<{ name: string; text: string; expected: string[] }>([
    {
      name: "a variable in backticks",
      text: "The core issue is a missing `JWT_SECRET_STAGING` environment variable in GCP Cloud Run.",
      expected: ["JWT_SECRET_STAGING"],
    },
    {
      name: "a bare name without backticks is prose, not a variable",
      text: "JWT_SECRET_STAGING is missing",
      expected: [],
    },
    {
      name: "an upper-case word without an underscore is not a variable",
      text: "set `PORT` and `DEBUG`",
      expected: [],
    },
    {
      name: "lower-case and mixed-case code is not a variable",
      text: "run `npm test` on `main`, see `jwt_secret` and `Jwt_Secret`",
      expected: [],
    },
    {
      name: "a name with digits counts",
      text: "`OAUTH2_CLIENT_ID` and `S3_BUCKET_1`",
      expected: ["OAUTH2_CLIENT_ID", "S3_BUCKET_1"],
    },
    {
      name: "names inside a fenced code block (logs) are ignored",
      text: "Staging fails:\n```\nError: `JWT_SECRET_PRODUCTION` not set\n```\nWe need `JWT_SECRET_STAGING`.",
      expected: ["JWT_SECRET_STAGING"],
    },
    {
      name: "a fence with a language and a tilde fence are both ignored",
      text: "```sh\necho `DATABASE_URL`\n```\n~~~\n`REDIS_URL`\n~~~\nafter: `REDIS_TOKEN`",
      expected: ["REDIS_TOKEN"],
    },
    {
      name: "repeated names are listed once, in order of first mention",
      text: "`JWT_SECRET_STAGING` then `JWT_SECRET` then `JWT_SECRET_STAGING` again",
      expected: ["JWT_SECRET_STAGING", "JWT_SECRET"],
    },
    {
      name: "the scenario issue names JWT_SECRET_STAGING five times",
      text: scenarioIssue.body,
      expected: ["JWT_SECRET_STAGING"],
    },
  ])("$name", ({ text, expected }) => {
    expect(mentionedVariables(text)).toEqual(expected);
  });
});

describe("mentionedEnvironments", () => {
  it.each<{ name: string; text: string; environments: string[]; expected: string[] }>([
    {
      name: "a word in the title",
      text: "JWT Configuration Failures in GCP Staging",
      environments: ["staging", "production"],
      expected: ["staging"],
    },
    {
      name: "both, in config order",
      text: "production works, staging does not",
      environments: ["staging", "production"],
      expected: ["staging", "production"],
    },
    {
      name: "part of a longer word does not count",
      text: "prestaging and productionise",
      environments: ["staging", "production"],
      expected: [],
    },
    {
      name: "a suffix after an underscore counts as a word",
      text: "`JWT_SECRET_STAGING`",
      environments: ["staging", "production"],
      expected: ["staging"],
    },
    {
      name: "a dashed environment name",
      text: "only eu-prod is down",
      environments: ["eu-prod", "us-prod"],
      expected: ["eu-prod"],
    },
    { name: "nothing named", text: "JWT authentication fails", environments: ["staging", "production"], expected: [] },
  ])("$name", ({ text, environments, expected }) => {
    expect(mentionedEnvironments(text, environments)).toEqual(expected);
  });
});

describe("environmentSuffixes", () => {
  it.each<{ name: string; environment: string; expected: string[] }>([
    { name: "staging and its short spellings", environment: "staging", expected: ["STAGING", "STAGE", "STG"] },
    { name: "production and its short spellings", environment: "production", expected: ["PRODUCTION", "PROD", "PRD"] },
    { name: "development", environment: "development", expected: ["DEVELOPMENT", "DEV"] },
    { name: "testing", environment: "testing", expected: ["TESTING", "TEST", "QA"] },
    { name: "a custom name with a dash becomes upper snake", environment: "eu-prod", expected: ["EU_PROD"] },
    { name: "an alias spelling as the name is not repeated", environment: "prod", expected: ["PROD"] },
  ])("$name", ({ environment, expected }) => {
    expect(environmentSuffixes(environment)).toEqual(expected);
  });
});

describe("resolveRequirements", () => {
  interface PlanCase {
    name: string;
    config: Config;
    issue: { title: string; body: string | null };
    /** Whole checks, or `expect.objectContaining` where a case is about another check. */
    expected: unknown[];
  }

  const issueCheck = (variable: string, targets: ServiceTarget[]): ResolvedRequirement => ({
    variable,
    aliases: [],
    from: "any",
    origin: "issue",
    targets,
  });

  it.each<PlanCase>([
    {
      name: "scenario: the configured checks resolve to every service of their environment; the issue adds nothing new",
      config: config(scenarioConfigYaml),
      issue: scenarioIssue,
      expected: [
        {
          variable: "JWT_SECRET_STAGING",
          aliases: ["JWT_SECRET"],
          from: "secret-manager",
          secret: "jwt-secret-staging",
          why: "the services sign and verify session tokens with it; without it every authenticated request fails",
          origin: "config",
          targets: [STAGING_BACKEND, STAGING_AUTH],
        },
        {
          variable: "JWT_SECRET_PRODUCTION",
          aliases: ["JWT_SECRET"],
          from: "secret-manager",
          secret: "jwt-secret-production",
          why: undefined,
          origin: "config",
          targets: [PRODUCTION_BACKEND, PRODUCTION_AUTH],
        },
      ],
    },
    {
      name: "a configured check restricted to one service",
      config: config(
        scenarioConfigYaml.replace(
          "follow_ups:",
          "  - variable: DATABASE_URL\n    services: [netra-backend]\n    from: literal\nfollow_ups:",
        ),
      ),
      issue: { title: "t", body: null },
      expected: [
        expect.objectContaining({ variable: "JWT_SECRET_STAGING" }),
        expect.objectContaining({ variable: "JWT_SECRET_PRODUCTION" }),
        {
          variable: "DATABASE_URL",
          aliases: [],
          from: "literal",
          secret: undefined,
          why: undefined,
          origin: "config",
          targets: [STAGING_BACKEND, PRODUCTION_BACKEND],
        },
      ],
    },
    {
      name: "an issue variable with a _STAGING suffix is checked on staging only, even if production is named",
      config: TWO_ENVS,
      issue: { title: "JWT failures in production and staging", body: "`JWT_SECRET_STAGING` is not set" },
      expected: [issueCheck("JWT_SECRET_STAGING", [STAGING_BACKEND])],
    },
    {
      name: "an issue variable with a short suffix (_PROD) is checked on production",
      config: TWO_ENVS,
      issue: { title: "Login broken", body: "`JWT_SECRET_PROD` looks wrong" },
      expected: [issueCheck("JWT_SECRET_PROD", [PRODUCTION_BACKEND])],
    },
    {
      name: "without a suffix, the environments named in the text",
      config: TWO_ENVS,
      issue: { title: "JWT Configuration Failures in GCP Staging", body: "Is `JWT_SECRET` set?" },
      expected: [issueCheck("JWT_SECRET", [STAGING_BACKEND])],
    },
    {
      name: "without a suffix or a named environment, every environment",
      config: TWO_ENVS,
      issue: { title: "Login broken", body: "Is `JWT_SECRET` set?" },
      expected: [issueCheck("JWT_SECRET", [STAGING_BACKEND, PRODUCTION_BACKEND])],
    },
    {
      name: "a variable named in the title counts too",
      config: TWO_ENVS,
      issue: { title: "`REDIS_URL` missing", body: null },
      expected: [issueCheck("REDIS_URL", [STAGING_BACKEND, PRODUCTION_BACKEND])],
    },
    {
      name: "variables covered by a configured check or by its alias are not checked twice",
      config: config(scenarioConfigYaml),
      issue: { title: "JWT", body: "`JWT_SECRET_PRODUCTION` and `JWT_SECRET` look fine; `REDIS_TOKEN` does not" },
      expected: [
        expect.objectContaining({ variable: "JWT_SECRET_STAGING", origin: "config" }),
        expect.objectContaining({ variable: "JWT_SECRET_PRODUCTION", origin: "config" }),
        // `JWT_SECRET_PRODUCTION` in the text names production, so the unsuffixed variable is checked there.
        issueCheck("REDIS_TOKEN", [PRODUCTION_BACKEND, PRODUCTION_AUTH]),
      ],
    },
    {
      name: "no checks and no variables: nothing to check",
      config: TWO_ENVS,
      issue: { title: "Staging is slow", body: "see `npm run bench`" },
      expected: [],
    },
  ])("$name", ({ config, issue, expected }) => {
    expect(resolveRequirements(config, issue)).toEqual(expected);
  });
});

describe("issueVariables: what is taken from the issue's text is bounded", () => {
  it("takes the first 25 names an issue gives, in order, and leaves out the rest and names too long to be one", () => {
    const names = Array.from({ length: 300 }, (_, i) => `VAR_${String(i).padStart(3, "0")}`);
    const long = `LONG_${"X".repeat(200)}`;
    const issue = { title: "hundreds", body: [`\`${long}\``, ...names.map((n) => `\`${n}\``)].join(" ") };
    const { taken, leftOut } = issueVariables(TWO_ENVS, issue);
    expect(MAX_ISSUE_VARIABLES).toBe(25);
    expect(taken).toEqual(names.slice(0, 25));
    expect(leftOut).toEqual([long, ...names.slice(25)]);
    expect(
      resolveRequirements(TWO_ENVS, issue)
        .filter((c) => c.origin === "issue")
        .map((c) => c.variable),
    ).toEqual(names.slice(0, 25));
  });
});

describe("targetsToFetch", () => {
  it("lists each service once, in the order the checks name them", () => {
    const checks = resolveRequirements(config(scenarioConfigYaml), {
      title: "`DATABASE_URL` and `REDIS_TOKEN`",
      body: null,
    });
    expect(targetsToFetch(checks)).toEqual([STAGING_BACKEND, STAGING_AUTH, PRODUCTION_BACKEND, PRODUCTION_AUTH]);
  });
});
