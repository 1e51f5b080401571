/**
 * Every built-in template must read well for every kind of problem the diagnosis reports (issue 13, point 4): a
 * problem that is not "missing" once gave the title "Fix configuration: on staging" over an empty list.
 */
import { describe, expect, it } from "@jest/globals";
import { ConfigSchema } from "../../../src/domain/config/schema.js";
import {
  PROBLEM_KINDS,
  type Diagnosis,
  type Problem,
  type VariableResult,
} from "../../../src/domain/diagnosis/evaluate.js";
import type { LiveState } from "../../../src/domain/diagnosis/live-state.js";
import { buildFollowUpPlan } from "../../../src/rendering/build-follow-up-plan.js";
import type { ParentIssue } from "../../../src/domain/follow-up-plan/follow-up-plan.js";
import { resolveFollowUpRefs } from "../../../src/domain/follow-up-plan/follow-up-refs.js";
import { loadBuiltInTemplates } from "../../../src/rendering/templates.js";

const BUILT_IN = loadBuiltInTemplates();
const NAMES = [...BUILT_IN.keys()].sort();
const STAGING = { environment: "staging", project: "acme-staging", region: "us-central1", service: "api" };
const CMD = "gcloud run services update api --project=acme-staging --region=us-central1";

/** One problem of each kind, as `evaluate` words it. */
const PROBLEMS: Record<(typeof PROBLEM_KINDS)[number], Problem> = {
  missing: {
    severity: "fail",
    what: "`JWT_SECRET_STAGING` is missing on staging / api",
    target: STAGING,
    why: "the service reads `JWT_SECRET_STAGING` at start-up",
    fix: `${CMD} --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest`,
    key: "missing:staging:api:JWT_SECRET_STAGING",
  },
  source: {
    severity: "fail",
    what: "`JWT_SECRET_STAGING` is a literal on staging / api, but must come from Secret Manager",
    target: STAGING,
    why: "a literal value is visible to anyone who can read the service's configuration",
    fix: `${CMD} --remove-env-vars=JWT_SECRET_STAGING --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest`,
    key: "source:staging:api:JWT_SECRET_STAGING",
  },
  version: {
    severity: "fail",
    what:
      "`JWT_SECRET_STAGING` on staging / api uses version `3` of secret `jwt`, but the configuration asks for " +
      "`latest`",
    target: STAGING,
    why: "a reference pinned to an old version keeps serving the old value after the secret is rotated",
    fix: `${CMD} --update-secrets=JWT_SECRET_STAGING=jwt:latest`,
    key: "version:staging:api:JWT_SECRET_STAGING",
  },
  serving: {
    severity: "fail",
    what:
      "`JWT_SECRET_STAGING` is in the template of staging / api but missing on revision `api-00041-abc`, which " +
      "serves 100%",
    target: STAGING,
    revision: "api-00041-abc",
    why: "no revision with the variable became ready",
    fix: `${CMD} --update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest`,
    key: "serving:staging:api:JWT_SECRET_STAGING:api-00041-abc",
  },
  secret: {
    severity: "fail",
    what:
      "`JWT_SECRET_STAGING` on staging / api reads secret `jwt` version `latest`, which its next deploy cannot read: " +
      "version 3 is DISABLED",
    target: STAGING,
    why: "Cloud Run checks every secret at deploy: the next deploy of api fails with `SECRETS_ACCESS_CHECK_FAILED`",
    fix:
      "gcloud secrets versions enable 3 --secret=jwt --project=acme-staging\ngcloud run services update api " +
      "--project=acme-staging --region=us-central1",
    key: "secret:staging:api:JWT_SECRET_STAGING",
  },
  "secret-unverified": {
    severity: "warn",
    what: "could not verify secret `jwt` version `latest`, which `JWT_SECRET_STAGING` on staging / api reads",
    target: STAGING,
    why: "Secret Manager refused the metadata read",
    fix:
      "gcloud projects add-iam-policy-binding acme-staging --member=serviceAccount:APP " +
      "--role=roles/secretmanager.viewer",
    key: "secret-unverified:staging:api:JWT_SECRET_STAGING",
  },
  cannot: {
    severity: "cannot-check",
    what: "could not check staging / api: permission denied",
    target: STAGING,
    why: "the app's service account may not read the service. Cloud Run said: PERMISSION_DENIED",
    fix:
      "gcloud projects add-iam-policy-binding acme-staging --member=serviceAccount:SERVICE_ACCOUNT " +
      "--role=roles/run.viewer",
    key: "cannot:staging:api:permission-denied",
  },
  "cannot-revision": {
    severity: "cannot-check",
    what: "could not read revision `api-00041-abc` of staging / api (100% of traffic): unreachable",
    target: STAGING,
    revision: "api-00041-abc",
    why: "whether the checked variables are live on it is unknown. Cloud Run said: UNAVAILABLE",
    key: "cannot-revision:staging:api:api-00041-abc",
  },
  "rollout-failed": {
    severity: "fail",
    what:
      "the latest rollout of staging / api failed: revision `api-00042-xyz` is not ready " +
      "(SECRETS_ACCESS_CHECK_FAILED)",
    target: STAGING,
    revision: "api-00042-xyz",
    why: "changes made since `api-00041-abc` are not live",
    fix: "gcloud run revisions describe api-00042-xyz --project=acme-staging --region=us-central1",
    key: "rollout-failed:staging:api",
  },
  "not-ready": {
    severity: "fail",
    what: "staging / api is not ready (ContainerMissing)",
    target: STAGING,
    why: "Cloud Run said: the image does not exist",
    fix: "gcloud run revisions describe api-00042-xyz --project=acme-staging --region=us-central1",
    key: "not-ready:staging:api",
  },
  reconciling: {
    severity: "warn",
    what: "a rollout of staging / api is still in progress",
    target: STAGING,
    why: "what serves may change in the next minutes",
    fix:
      "gcloud run services describe api --project=acme-staging --region=us-central1 " +
      '--format="value(status.conditions)"',
    key: "reconciling:staging:api",
  },
  health: {
    severity: "fail",
    what: "the health check of staging / api failed: HTTP 503 after 120 ms",
    target: STAGING,
    why: "`https://api.example/health` should answer 2xx",
    fix: "gcloud run services logs read api --project=acme-staging --region=us-central1 --limit=50",
    key: "health:staging:api",
  },
  drift: {
    severity: "warn",
    what: "staging / api lacks `FEATURE_FLAGS`, which production has",
    target: STAGING,
    why: "the same service is configured differently in production and staging",
    fix: `${CMD} --update-env-vars=FEATURE_FLAGS=VALUE`,
    key: "drift:production>staging:api",
  },
};

const config = ConfigSchema.parse({
  environments: { staging: { project: "acme-staging", region: "us-central1", services: ["api"] } },
  checks: [{ variable: "JWT_SECRET_STAGING" }],
  // Every template opens whatever the verdict, so each is read with each kind.
  follow_ups: NAMES.map((template) => ({ template, when: "always" })),
});
const parent: ParentIssue = {
  owner: "acme",
  repo: "api",
  number: 930,
  title: "JWT failures in staging",
  body: "",
  url: "https://github.com/acme/api/issues/930",
};
const live: LiveState = { source: "live", fetchedAt: "2026-11-29T10:00:00.000Z", services: [] };

function diagnosisWith(problem: Problem): Diagnosis {
  const status: VariableResult["status"] =
    problem.severity === "cannot-check" ? "cannot-check" : problem.key.startsWith("missing:") ? "missing" : "set";
  const results: VariableResult[] = [
    { variable: "JWT_SECRET_STAGING", target: STAGING, status, origin: "config" } as VariableResult,
  ];
  const verdict = problem.severity === "fail" ? "fail" : problem.severity === "cannot-check" ? "incomplete" : "pass";
  return { source: "live", fetchedAt: live.fetchedAt, results, problems: [problem], verdict };
}

function followUps(kind: string) {
  const planned = buildFollowUpPlan({
    config,
    parent,
    diagnosis: diagnosisWith(PROBLEMS[kind as keyof typeof PROBLEMS]),
    live,
    templates: BUILT_IN,
    existing: [],
  });
  if (!planned.ok) throw new Error(JSON.stringify(planned.problems));
  // As a transport sends them: blockers first, so a body names them by number.
  const numbers = new Map(planned.plan.create.map((d, i) => [d.template, 931 + i]));
  return planned.plan.create.map((d) => ({ ...d, body: resolveFollowUpRefs(d.body, numbers) }));
}

describe("every built-in template reads well for every problem kind", () => {
  it("has a problem for each kind the diagnosis reports", () => {
    expect(Object.keys(PROBLEMS).sort()).toEqual([...PROBLEM_KINDS].sort());
  });

  describe.each([...PROBLEM_KINDS])("%s", (kind) => {
    const issues = followUps(kind);

    it("opens every template", () => {
      expect(issues.map((i) => i.template).sort()).toEqual(NAMES);
    });

    it.each(NAMES)("%s: a full title and no empty list item or placeholder", (name) => {
      const issue = issues.find((i) => i.template === name)!;
      expect(issue.title).not.toMatch(/(: on |\(\)|\s{2}|\s$|:$| of$|undefined|\[object)/);
      expect(issue.title.length).toBeGreaterThan(20);
      expect(issue.body).not.toMatch(/^\s*- (\[ \] )?\s*$/m);
      expect(issue.body).not.toMatch(/undefined|\[object|⟦|\(\)|(^|[^`])``([^`]|$)/m);
      expect(issue.body).not.toMatch(/\n{3,}/);
      expect(issue.body).toContain("#930");
      for (const section of ["## Scope", "## Timeline", "## Dependencies", "## Success criteria"])
        expect(issue.body).toContain(section);
    });

    it("immediate-fix names the problem in its title and lists it with what to do", () => {
      const fix = issues.find((i) => i.template === "immediate-fix")!;
      const problem = PROBLEMS[kind as keyof typeof PROBLEMS];
      expect(fix.body).toContain(`- [ ] ${problem.what}`);
      // A fix of several commands stays inside the item's code block: each line, indented.
      for (const line of (problem.fix ?? problem.why).split("\n")) expect(fix.body).toContain(`  ${line}`);
      expect({ title: fix.title, body: fix.body }).toMatchSnapshot();
    });

    it("titles (snapshot)", () => {
      expect(Object.fromEntries(issues.map((i) => [i.template, i.title]))).toMatchSnapshot();
    });
  });
});
