import { describe, expect, it } from "@jest/globals";
import { parseConfig, parseConfigText, type ConfigProblem } from "../../../src/domain/config/parse-config.js";
import type { Config } from "../../../src/domain/config/schema.js";

const FILE = ".github/config-triage.yml";

/** The config of the issue #930 repository: a backend on Cloud Run in staging and production. */
const FULL_CONFIG = `labels: ["triage:config", "area:auth"]
environments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
  production:
    project: netra-production
    region: us-central1
    services: [netra-backend, netra-auth]
checks:
  - variable: JWT_SECRET_STAGING
    aliases: [JWT_SECRET]
    environments: [staging]
    from: secret-manager
    secret: jwt-secret-staging
    why: the backend signs and verifies session tokens with it
  - variable: JWT_SECRET_PRODUCTION
    environments: [production]
    services: [netra-backend]
    from: secret-manager
  - variable: LOG_LEVEL
    from: literal
follow_ups:
  - immediate-fix
  - template: ssot-consolidation
    when: failing
  - template: health-monitoring
on_pass: comment
`;

const MINIMAL_CONFIG = `environments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
`;

/** What the schema fills in for the keys a file leaves out (besides labels, checks, follow_ups and on_pass). */
const DEFAULTS = {
  mode: "auto",
  review_label: "needs-review",
  roles: {},
  pull_requests: false,
  label_role: "triage",
  max_follow_ups: 10,
  max_triages_per_hour: 6,
  service_pairs: [],
} satisfies Partial<Config>;

/** The follow-ups of a file without `follow_ups`: the four built-in templates. */
const DEFAULT_FOLLOW_UPS: Config["follow_ups"] = [
  { template: "immediate-fix", when: undefined },
  { template: "ssot-consolidation", when: undefined },
  { template: "flow-documentation", when: undefined },
  { template: "health-monitoring", when: undefined },
];

describe("parseConfigText: valid files", () => {
  interface ValidCase {
    name: string;
    text: string;
    config: Config;
  }

  it.each<ValidCase>([
    {
      name: "a full config keeps every field, with aliases, from, secret and both follow-up forms",
      text: FULL_CONFIG,
      config: {
        labels: ["triage:config", "area:auth"],
        environments: {
          staging: { project: "netra-staging", region: "us-central1", services: ["netra-backend"] },
          production: { project: "netra-production", region: "us-central1", services: ["netra-backend", "netra-auth"] },
        },
        checks: [
          {
            variable: "JWT_SECRET_STAGING",
            aliases: ["JWT_SECRET"],
            environments: ["staging"],
            from: "secret-manager",
            secret: "jwt-secret-staging",
            why: "the backend signs and verifies session tokens with it",
          },
          {
            variable: "JWT_SECRET_PRODUCTION",
            aliases: [],
            environments: ["production"],
            services: ["netra-backend"],
            from: "secret-manager",
          },
          { variable: "LOG_LEVEL", aliases: [], from: "literal" },
        ],
        follow_ups: [
          { template: "immediate-fix", when: undefined },
          { template: "ssot-consolidation", when: "failing" },
          { template: "health-monitoring" },
        ],
        on_pass: "comment",
        ...DEFAULTS,
      },
    },
    {
      name: "a minimal config gets the default label, no checks, the four default follow-ups and on_pass close",
      text: MINIMAL_CONFIG,
      config: {
        labels: ["triage:config"],
        environments: { staging: { project: "netra-staging", region: "us-central1", services: ["netra-backend"] } },
        checks: [],
        follow_ups: DEFAULT_FOLLOW_UPS,
        on_pass: "close",
        ...DEFAULTS,
      },
    },
    {
      name: "a check without `from` accepts any source",
      text: `${MINIMAL_CONFIG}checks:\n  - variable: JWT_SECRET_STAGING\n`,
      config: {
        labels: ["triage:config"],
        environments: { staging: { project: "netra-staging", region: "us-central1", services: ["netra-backend"] } },
        checks: [{ variable: "JWT_SECRET_STAGING", aliases: [], from: "any" }],
        follow_ups: DEFAULT_FOLLOW_UPS,
        on_pass: "close",
        ...DEFAULTS,
      },
    },
  ])("$name", ({ text, config }) => {
    const result = parseConfigText(text);
    expect(result).toEqual({ ok: true, config });
  });
});

describe("parseConfigText: each mistake names the file, line, column and the fix", () => {
  interface MistakeCase {
    name: string;
    text: string;
    problems: ConfigProblem[];
  }

  it.each<MistakeCase>([
    {
      name: "unknown top-level key close to a known one: did you mean",
      text: `${MINIMAL_CONFIG}check:
  - variable: JWT_SECRET_STAGING
`,
      problems: [
        { file: FILE, line: 6, column: 1, path: "check", message: "unknown key `check`: did you mean `checks`?" },
      ],
    },
    {
      name: "misspelt `environments`: the required key is reported too, both at the top of the file",
      text: `enviroments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
`,
      problems: [
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "environments",
          message:
            "`environments` is required: a map of environments, e.g. `staging: { project: acme-staging, region: " +
            "us-central1, services: [api] }`",
        },
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "enviroments",
          message: "unknown key `enviroments`: did you mean `environments`?",
        },
      ],
    },
    {
      name: "unknown key inside an environment lists the allowed keys",
      text: `environments:
  staging:
    project: netra-staging
    region: us-central1
    zone: us-central1-a
    services: [netra-backend]
`,
      problems: [
        {
          file: FILE,
          line: 5,
          column: 5,
          path: "environments.staging.zone",
          message:
            "unknown key `zone` in `environments.staging`: the keys allowed here are `project`, `region`, `services`",
        },
      ],
    },
    {
      name: "unknown key inside a check, close to a known one",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT_SECRET_STAGING
    secert: jwt-secret-staging
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 5,
          path: "checks.0.secert",
          message: "unknown key `secert` in `checks.0`: did you mean `secret`?",
        },
      ],
    },
    {
      name: "missing required field (region) points at the environment",
      text: `environments:
  staging:
    project: netra-staging
    services: [netra-backend]
`,
      problems: [
        {
          file: FILE,
          line: 3,
          column: 5,
          path: "environments.staging.region",
          message: "`environments.staging.region` is required: the Cloud Run region, e.g. `region: us-central1`",
        },
      ],
    },
    {
      name: "wrong type: services as a string instead of a list",
      text: `environments:
  staging:
    project: netra-staging
    region: us-central1
    services: netra-backend
`,
      problems: [
        {
          file: FILE,
          line: 5,
          column: 5,
          path: "environments.staging.services",
          message:
            "`environments.staging.services` must be a list: a list of Cloud Run service names, e.g. `services: [api]`",
        },
      ],
    },
    {
      name: "bad enum: from: vault",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT_SECRET_STAGING
    from: vault
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 5,
          path: "checks.0.from",
          message: "`checks.0.from` must be one of `secret-manager`, `literal`, `any`",
        },
      ],
    },
    {
      name: "bad enum: on_pass",
      text: `${MINIMAL_CONFIG}on_pass: reopen
`,
      problems: [
        { file: FILE, line: 6, column: 1, path: "on_pass", message: "`on_pass` must be one of `close`, `comment`" },
      ],
    },
    {
      name: "cross-check: a check naming an undefined environment suggests the close one",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT_SECRET_STAGING
    environments: [stagin]
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 20,
          path: "checks.0.environments.0",
          message:
            "check `JWT_SECRET_STAGING` names environment `stagin`, which is not under `environments:`: did you mean " +
            "`staging`?",
        },
      ],
    },
    {
      name: "cross-check: a service pair naming a service its environment does not list",
      text: `${MINIMAL_CONFIG}service_pairs:
  - { staging: netra-backnd, production: netra-backend }
`,
      problems: [
        {
          file: FILE,
          line: 7,
          column: 7,
          path: "service_pairs.0.staging",
          message:
            "service pair 1 names service `netra-backnd`, which environment `staging` does not list: did you mean " +
            "`netra-backend`?",
        },
        {
          file: FILE,
          line: 7,
          column: 30,
          path: "service_pairs.0.production",
          message:
            "service pair 1 names environment `production`, which is not under `environments:`: use one of `staging`",
        },
      ],
    },
    {
      name: "a service pair of one environment is refused",
      text: `${MINIMAL_CONFIG}service_pairs:
  - { staging: netra-backend }
`,
      problems: [
        {
          file: FILE,
          line: 7,
          column: 5,
          path: "service_pairs.0",
          message: "`service_pairs.0` must pair at least two environments",
        },
      ],
    },
    {
      name: "cross-check: a check naming a service that none of its environments lists",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT_SECRET_STAGING
    services: [netra-frontend]
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 16,
          path: "checks.0.services.0",
          message:
            "check `JWT_SECRET_STAGING` names service `netra-frontend`, which no environment it applies to lists: " +
            "use one of `netra-backend`",
        },
      ],
    },
    {
      name: "cross-check: a service of another environment does not count",
      text: `environments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
  production:
    project: netra-production
    region: us-central1
    services: [netra-auth]
checks:
  - variable: JWT_SECRET_STAGING
    environments: [staging]
    services: [netra-auth]
`,
      problems: [
        {
          file: FILE,
          line: 13,
          column: 16,
          path: "checks.0.services.0",
          message:
            "check `JWT_SECRET_STAGING` names service `netra-auth`, which no environment it applies to lists: use " +
            "one of `netra-backend`",
        },
      ],
    },
    {
      name: "empty file",
      text: "",
      problems: [
        { file: FILE, path: "", message: "the file is empty: name at least one environment under `environments:`" },
      ],
    },
    {
      name: "a file with only comments is empty",
      text: "# config-triage: TODO\n",
      problems: [
        { file: FILE, path: "", message: "the file is empty: name at least one environment under `environments:`" },
      ],
    },
    {
      name: "YAML syntax error: mis-indented key",
      text: `environments:
  staging:
    project: netra-staging
    services: [netra-backend]
   region: us-central1
`,
      problems: [
        {
          file: FILE,
          line: 5,
          column: 1,
          path: "",
          message: "the YAML does not parse: All mapping items must start at the same column",
        },
      ],
    },
    {
      name: "YAML syntax error: unclosed flow sequence",
      text: `environments:
  staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend
`,
      problems: [
        {
          file: FILE,
          line: 6,
          column: 1,
          path: "",
          message:
            "the YAML does not parse: Flow sequence in block collection must be sufficiently indented and end with a ]",
        },
      ],
    },
    {
      name: "bad variable name (kebab-case)",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT-SECRET-STAGING
`,
      problems: [
        {
          file: FILE,
          line: 7,
          column: 5,
          path: "checks.0.variable",
          message: "`checks.0.variable` must be an environment variable name such as JWT_SECRET_STAGING",
        },
      ],
    },
    {
      name: "bad alias name",
      text: `${MINIMAL_CONFIG}checks:
  - variable: JWT_SECRET_STAGING
    aliases: [jwt.secret]
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 15,
          path: "checks.0.aliases.0",
          message: "`checks.0.aliases.0` must be an environment variable name",
        },
      ],
    },
    {
      name: "bad template name as a string (with .md and capitals)",
      text: `${MINIMAL_CONFIG}follow_ups:
  - immediate-fix
  - Immediate_Fix.md
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 5,
          path: "follow_ups.1",
          message: "`follow_ups.1` must be a template name: lower-case letters, digits and dashes, without .md",
        },
      ],
    },
    {
      name: "bad template name inside { template, when }",
      text: `${MINIMAL_CONFIG}follow_ups:
  - template: Immediate-Fix
    when: failing
`,
      problems: [
        {
          file: FILE,
          line: 7,
          column: 5,
          path: "follow_ups.0.template",
          message:
            "`follow_ups.0.template` must be a template name: lower-case letters, digits and dashes, without .md",
        },
      ],
    },
    {
      name: "bad `when` of a follow-up",
      text: `${MINIMAL_CONFIG}follow_ups:
  - template: immediate-fix
    when: sometimes
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 5,
          path: "follow_ups.0.when",
          message: "`follow_ups.0.when` must be one of `always`, `failing`",
        },
      ],
    },
    {
      name: "environment name with capitals: the naming rule is shown, not a generic error",
      text: `environments:
  Staging:
    project: netra-staging
    region: us-central1
    services: [netra-backend]
`,
      problems: [
        {
          file: FILE,
          line: 2,
          column: 3,
          path: "environments.Staging",
          message: "`Staging` is not a valid key in `environments`: environment names are lower-case, e.g. staging",
        },
      ],
    },
    {
      name: "no environment at all",
      text: "environments: {}\n",
      problems: [
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "environments",
          message: "`environments` must name at least one environment",
        },
      ],
    },
    {
      name: "a list instead of a map at the top",
      text: "- staging\n- production\n",
      problems: [
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "",
          message: "the file must be a map: see the configuration reference in docs/configuration.md",
        },
      ],
    },
    {
      name: "empty labels list",
      text: `labels: []
${MINIMAL_CONFIG}`,
      problems: [
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "labels",
          message: '`labels` must not be empty: a list of label names, e.g. `labels: ["triage:config"]`',
        },
      ],
    },
    {
      name:
        "numbers out of range, in the app's words " +
        "(not the schema library's 'Too big: expected number to be <=30000')",
      text: `max_follow_ups: 0
max_triages_per_hour: 2.5
environments:
  staging:
    project: p
    region: r
    services: [a]
    health: { path: /health, timeout_ms: 60000 }
`,
      problems: [
        {
          file: FILE,
          line: 8,
          column: 30,
          path: "environments.staging.health.timeout_ms",
          message:
            "`environments.staging.health.timeout_ms` must be at most 30000: milliseconds, a whole number from 1 to " +
            "30000, e.g. `timeout_ms: 5000`",
        },
        {
          file: FILE,
          line: 1,
          column: 1,
          path: "max_follow_ups",
          message: "`max_follow_ups` must be at least 1: a whole number from 1 to 100, e.g. `max_follow_ups: 10`",
        },
        {
          file: FILE,
          line: 2,
          column: 1,
          path: "max_triages_per_hour",
          message:
            "`max_triages_per_hour` must be a whole number: a whole number of at least 1, e.g. " +
            "`max_triages_per_hour: 6`",
        },
      ],
    },
  ])("$name", ({ text, problems }) => {
    expect(parseConfigText(text)).toEqual({ ok: false, problems });
  });

  it("names the file it was given", () => {
    const result = parseConfigText("on_pass: close\nenviroments: {}\n", ".github/other.yml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.file)).toEqual([".github/other.yml", ".github/other.yml"]);
  });
});

describe("parseConfig (an object already parsed, e.g. by context.config)", () => {
  interface ObjectCase {
    name: string;
    value: unknown;
    text?: string;
    problems: ConfigProblem[];
  }

  it.each<ObjectCase>([
    {
      name: "null (the file has no content) is the empty-file problem",
      value: null,
      problems: [
        { file: FILE, path: "", message: "the file is empty: name at least one environment under `environments:`" },
      ],
    },
    {
      name: "an empty object is the empty-file problem",
      value: {},
      problems: [
        { file: FILE, path: "", message: "the file is empty: name at least one environment under `environments:`" },
      ],
    },
    {
      name: "without the text, a problem has a path and message but no line",
      value: { environments: { staging: { project: "netra-staging", services: ["netra-backend"] } } },
      problems: [
        {
          file: FILE,
          path: "environments.staging.region",
          message: "`environments.staging.region` is required: the Cloud Run region, e.g. `region: us-central1`",
        },
      ],
    },
    {
      name: "with the text, the same problem gets its line and column",
      value: { environments: { staging: { project: "netra-staging", services: ["netra-backend"] } } },
      text: "environments:\n  staging:\n    project: netra-staging\n    services: [netra-backend]\n",
      problems: [
        {
          file: FILE,
          line: 3,
          column: 5,
          path: "environments.staging.region",
          message: "`environments.staging.region` is required: the Cloud Run region, e.g. `region: us-central1`",
        },
      ],
    },
  ])("$name", ({ value, text, problems }) => {
    expect(parseConfig(value, { text })).toEqual({ ok: false, problems });
  });

  it("accepts a valid object and applies the same defaults as the text parser", () => {
    const value = {
      environments: { staging: { project: "netra-staging", region: "us-central1", services: ["netra-backend"] } },
    };
    expect(parseConfig(value)).toEqual(parseConfigText(MINIMAL_CONFIG));
  });
});
