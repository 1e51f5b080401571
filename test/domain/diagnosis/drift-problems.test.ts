/**
 * Drift between environments, case by case: variable names of the same service compared across environments with
 * their environment suffixes removed; never values.
 */
import { describe, expect, it } from "@jest/globals";
import { driftProblems, evaluate } from "../../../src/domain/diagnosis/evaluate.js";
import { serviceToSnapshot } from "../../../src/domain/diagnosis/to-snapshot.js";
import type { LiveState, ServiceState, ServiceTarget } from "../../../src/domain/diagnosis/live-state.js";
import { buildService, type EnvSpec } from "../../../dev/cloud-run-fixtures.js";

/** Values planted in the services: none may appear in any finding. */
const VALUE = "pl4nted-v4lue-never-shown";

const target = (environment: string, service = "api"): ServiceTarget => ({
  environment,
  project: `acme-${environment}`,
  region: "us-central1",
  service,
});

/**
 * A service read through the same ingestion as live data, so values are dropped exactly where they are in production.
 */
function ok(environment: string, env: EnvSpec, service = "api"): ServiceState {
  const t = target(environment, service);
  const { service: message } = buildService({ project: t.project, region: t.region, name: service, env });
  return { kind: "ok", target: t, snapshot: serviceToSnapshot(t, message) };
}

const lit = VALUE;
const sec = (secret: string) => ({ secret });

interface Case {
  name: string;
  services: ServiceState[];
  /** Already reported missing, as `environment:service:VARIABLE`. */
  reported?: string[];
  /** The findings' `what`, in order. */
  what: string[];
  keys?: string[];
  fixes?: string[];
  /** Names the near-miss check called typos, as `environment:service:NAME`. */
  typos?: string[];
  /** `service_pairs` from the config. */
  pairs?: Record<string, string>[];
  /** Text the first finding's `why` must contain (the pairing used). */
  why?: string;
}

const cases: Case[] = [
  {
    name: "_STAGING and _PRODUCTION are the same setting",
    services: [
      ok("staging", { JWT_SECRET_STAGING: sec("jwt-staging") }),
      ok("production", { JWT_SECRET_PRODUCTION: sec("jwt-production") }),
    ],
    what: [],
  },
  {
    name: "_STG on staging and _PROD on production are the same setting",
    services: [ok("staging", { DB_URL_STG: lit }), ok("production", { DB_URL_PROD: lit })],
    what: [],
  },
  {
    name: "mixed spellings: _STAGING against _PROD",
    services: [
      ok("staging", { JWT_SECRET_STAGING: sec("jwt-staging"), LOG_LEVEL: lit }),
      ok("production", { JWT_SECRET_PROD: sec("jwt-prod"), LOG_LEVEL: lit }),
    ],
    what: [],
  },
  {
    name: "production lacks a name staging has (one direction only)",
    services: [
      ok("staging", { JWT_SECRET_STAGING: sec("jwt-staging"), REDIS_URL: lit }),
      ok("production", { JWT_SECRET_PRODUCTION: sec("jwt-production") }),
    ],
    what: ["production / api lacks `REDIS_URL`, which staging has"],
    keys: ["drift:staging>production:api"],
    fixes: [
      "gcloud run services update api --project=acme-production --region=us-central1 --update-env-vars=REDIS_URL=VALUE",
    ],
  },
  {
    name: "both directions, and a suffixed name is renamed to the other environment's suffix",
    services: [
      ok("staging", { FEATURE_FLAGS: lit }),
      ok("production", { SENTRY_DSN_PRODUCTION: sec("sentry-dsn-production") }),
    ],
    what: [
      "production / api lacks `FEATURE_FLAGS`, which staging has",
      "staging / api lacks `SENTRY_DSN_STAGING`, which production has",
    ],
    keys: ["drift:staging>production:api", "drift:production>staging:api"],
    fixes: [
      "gcloud run services update api --project=acme-production --region=us-central1 " +
        "--update-env-vars=FEATURE_FLAGS=VALUE",
      "gcloud run services update api --project=acme-staging --region=us-central1 " +
        "--update-secrets=SENTRY_DSN_STAGING=sentry-dsn-staging:latest",
    ],
  },
  {
    name: "a variable already reported missing is not reported again as drift",
    services: [
      ok("staging", { REDIS_URL: lit }),
      ok("production", { JWT_SECRET_PRODUCTION: sec("jwt-production"), REDIS_URL: lit }),
    ],
    reported: ["staging:api:JWT_SECRET_STAGING"],
    what: [],
  },
  {
    name: "only the reported variable is left out; the rest of the drift stays",
    services: [ok("staging", {}), ok("production", { JWT_SECRET_PRODUCTION: sec("jwt-production"), REDIS_URL: lit })],
    reported: ["staging:api:JWT_SECRET_STAGING"],
    what: ["staging / api lacks `REDIS_URL`, which production has"],
  },
  {
    name: "different services are never compared",
    services: [ok("staging", { REDIS_URL: lit }, "api"), ok("production", {}, "worker")],
    what: [],
  },
  {
    name: "a service that could not be read is not compared",
    services: [
      ok("staging", { REDIS_URL: lit }),
      {
        kind: "cannot-check",
        target: target("production"),
        reason: "permission-denied",
        detail: "denied",
        permission: "run.services.get",
      },
    ],
    what: [],
  },
  {
    name: "an environment name without known aliases uses its own upper-case name as the suffix",
    services: [ok("eu-staging", { API_KEY_EU_STAGING: lit }), ok("production", {})],
    what: ["production / api lacks `API_KEY_PRODUCTION`, which eu-staging has"],
  },
  {
    name: "issue 13.2: `api-staging` on staging and `api` on production are one service (affix removed)",
    services: [ok("staging", { REDIS_URL: lit }, "api-staging"), ok("production", {}, "api")],
    what: ["production / api lacks `REDIS_URL`, which staging / api-staging has"],
    fixes: [
      "gcloud run services update api --project=acme-production --region=us-central1 --update-env-vars=REDIS_URL=VALUE",
    ],
    why: "`api-staging` in staging is paired with `api` in production: their names match without the environment affix",
  },
  {
    name: "issue 13.2: `stg-api` and `prod-api` are one service (prefixes removed)",
    services: [ok("staging", {}, "stg-api"), ok("production", { SENTRY_DSN: lit }, "prod-api")],
    what: ["staging / stg-api lacks `SENTRY_DSN`, which production / prod-api has"],
    fixes: [
      "gcloud run services update stg-api --project=acme-staging --region=us-central1 " +
        "--update-env-vars=SENTRY_DSN=VALUE",
    ],
  },
  {
    name: "issue 13.2: an explicit pair from service_pairs, shown in the finding",
    services: [ok("staging", { REDIS_URL: lit }, "web-preview"), ok("production", {}, "web")],
    pairs: [{ staging: "web-preview", production: "web" }],
    what: ["production / web lacks `REDIS_URL`, which staging / web-preview has"],
    why: "`web-preview` in staging is paired with `web` in production by `service_pairs` in the config",
  },
  {
    name: "issue 13.2: a service in an explicit pair is not also paired by name",
    services: [
      ok("staging", { REDIS_URL: lit }, "api-staging"),
      ok("production", {}, "api"),
      ok("production", { REDIS_URL: lit }, "api-v2"),
    ],
    pairs: [{ staging: "api-staging", production: "api-v2" }],
    what: [],
  },
  {
    name: "issue 13.3: a name the near-miss check calls a typo is never proposed for production",
    services: [
      ok("staging", { JWT_SECRET_STAGIN: sec("jwt-staging"), REDIS_URL: lit }),
      ok("production", { JWT_SECRET_PRODUCTION: sec("jwt") }),
    ],
    reported: ["staging:api:JWT_SECRET_STAGING"],
    typos: ["staging:api:JWT_SECRET_STAGIN"],
    what: ["production / api lacks `REDIS_URL`, which staging has"],
    fixes: [
      "gcloud run services update api --project=acme-production --region=us-central1 --update-env-vars=REDIS_URL=VALUE",
    ],
  },
];

describe("driftProblems", () => {
  it.each(cases)("$name", ({ services, reported, what, keys, fixes, typos, pairs, why }) => {
    const live: LiveState = { source: "live", fetchedAt: "2025-03-01T12:00:00.000Z", services };
    const problems = driftProblems(live, new Set(reported ?? []), new Set(typos ?? []), { servicePairs: pairs });
    if (why) expect(problems[0]?.why).toContain(why);
    expect(problems.map((p) => p.what)).toEqual(what);
    expect(problems.every((p) => p.severity === "warn")).toBe(true);
    if (keys) expect(problems.map((p) => p.key)).toEqual(keys);
    if (fixes) expect(problems.map((p) => p.fix)).toEqual(fixes);
    for (const p of problems) expect(p.why).toContain("values are never compared");
    // Names only: no value read from Cloud Run reaches a finding.
    expect(JSON.stringify(problems)).not.toContain(VALUE);
  });
});

describe("drift through the whole diagnosis (issue 13.3)", () => {
  it("the near-miss finding names the typo, and no drift finding proposes it for production", () => {
    const services = [
      ok("staging", { JWT_SECRET_STAGIN: sec("jwt-staging") }),
      ok("production", { JWT_SECRET_PRODUCTION: sec("jwt") }),
    ];
    const live: LiveState = { source: "live", fetchedAt: "2025-03-01T12:00:00.000Z", services };
    const d = evaluate(
      [{ variable: "JWT_SECRET_STAGING", aliases: [], from: "any", origin: "issue", targets: [target("staging")] }],
      live,
    );
    expect(d.problems.find((p) => p.key.startsWith("missing:"))?.what).toContain("did you mean `JWT_SECRET_STAGIN`");
    expect(JSON.stringify(d.problems.filter((p) => p.key.startsWith("drift:")))).not.toContain("STAGIN");
  });
});
