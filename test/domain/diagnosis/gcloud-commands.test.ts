/**
 * Issue 10.5: every kind of command the diagnosis prints, next to the gcloud rule it follows. Each row is produced by
 * the diagnosis itself (a service built like the API returns it, read through `serviceToSnapshot`, evaluated) or by
 * the one builder that makes it, so a command that gcloud would refuse fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { evaluate } from "../../../src/domain/diagnosis/evaluate.js";
import * as gcloud from "../../../src/domain/diagnosis/gcloud-commands.js";
import type { ResolvedRequirement } from "../../../src/domain/diagnosis/resolve-requirements.js";
import { serviceToSnapshot } from "../../../src/domain/diagnosis/to-snapshot.js";
import type { LiveState, ServiceTarget } from "../../../src/domain/diagnosis/live-state.js";
import { buildService, type BuildServiceOptions } from "../../../dev/cloud-run-fixtures.js";

const T: ServiceTarget = { environment: "staging", project: "acme-staging", region: "us-central1", service: "api" };
const UPDATE = "gcloud run services update api --project=acme-staging --region=us-central1";

/** The fix commands (one per line) the diagnosis prints for one check on one service. */
function fixesFor(
  o: Omit<BuildServiceOptions, "project" | "region" | "name">,
  check: Partial<ResolvedRequirement>,
  kind: string,
): string[] {
  const { service, revisions } = buildService({ project: T.project, region: T.region, name: T.service, ...o });
  const live: LiveState = {
    source: "live",
    fetchedAt: "2025-01-01T00:00:00.000Z",
    services: [{ kind: "ok", target: T, snapshot: serviceToSnapshot(T, service, revisions) }],
  };
  const d = evaluate(
    [{ variable: "JWT_SECRET", aliases: [], from: "any", origin: "config", targets: [T], ...check }],
    live,
  );
  return d.problems.filter((p) => p.key.startsWith(`${kind}:`)).flatMap((p) => (p.fix ?? "").split("\n"));
}

const twoContainers = (env: Record<string, string | { secret: string }>) => ({
  containers: [
    { name: "app", env },
    { name: "proxy", env: {} },
  ],
});

const rows: { name: string; rule: string; commands: () => (string | undefined)[]; expected: (string | undefined)[] }[] =
  [
    {
      name: "a missing secret variable",
      // gcloud run services update --update-secrets=KEY=SECRET:VERSION
      rule: "--update-secrets=KEY=SECRET_NAME:VERSION sets a variable from a secret of the service's project",
      commands: () => fixesFor({ env: {} }, { from: "secret-manager", secret: "jwt" }, "missing"),
      expected: [`${UPDATE} --update-secrets=JWT_SECRET=jwt:latest`],
    },
    {
      name: "a missing literal",
      rule: "--update-env-vars=KEY=VALUE; VALUE is for a person to fill in",
      commands: () => fixesFor({ env: {} }, { from: "literal" }, "missing"),
      expected: [`${UPDATE} --update-env-vars=JWT_SECRET=VALUE`],
    },
    {
      name: "a variable of a multi-container service",
      // gcloud reference: "Flags following --container apply to the specified container".
      rule: "container flags come after --container=NAME",
      commands: () => fixesFor(twoContainers({}), { from: "secret-manager", secret: "jwt" }, "missing"),
      expected: [`${UPDATE} --container=app --update-secrets=JWT_SECRET=jwt:latest`],
    },
    {
      name: "a literal that must become a secret",
      // gcloud applies env-var changes before secret changes and refuses a type change in one command.
      rule: "--remove-env-vars=X, then --update-secrets=X=…: two commands, in that order",
      commands: () => fixesFor({ env: { JWT_SECRET: "v" } }, { from: "secret-manager", secret: "jwt" }, "source"),
      expected: [`${UPDATE} --remove-env-vars=JWT_SECRET`, `${UPDATE} --update-secrets=JWT_SECRET=jwt:latest`],
    },
    {
      name: "a secret that must become a literal, on a multi-container service",
      rule: "--remove-secrets=X, then --update-env-vars=X=VALUE; each after --container=NAME",
      commands: () => fixesFor(twoContainers({ JWT_SECRET: { secret: "jwt" } }), { from: "literal" }, "source"),
      expected: [
        `${UPDATE} --container=app --remove-secrets=JWT_SECRET`,
        `${UPDATE} --container=app --update-env-vars=JWT_SECRET=VALUE`,
      ],
    },
    {
      name: "a near miss moved to the right name (different variables: one command)",
      rule:
        "--remove-secrets=NEAR --update-secrets=X=…: a type change of the same variable is what gcloud refuses, not " +
        "this",
      commands: () => fixesFor({ env: { JWT_SECRT: { secret: "jwt" } } }, { from: "secret-manager" }, "missing"),
      expected: [`${UPDATE} --remove-secrets=JWT_SECRT --update-secrets=JWT_SECRET=jwt:latest`],
    },
    {
      name: "a pinned version of a secret in another project",
      rule:
        "--update-secrets=X=projects/P/secrets/S:V names a secret in another project; " +
        "a bare name would mean this one",
      commands: () =>
        fixesFor(
          { env: { JWT_SECRET: { secret: "projects/acme-shared/secrets/jwt", version: "3" } } },
          { version: "latest" },
          "version",
        ),
      expected: [`${UPDATE} --update-secrets=JWT_SECRET=projects/acme-shared/secrets/jwt:latest`],
    },
    {
      name: "a pinned version of a secret mounted without items",
      // k8s.min.proto SecretVolumeSource.items: "If unspecified, the volume will expose a file whose name is the
      // secret".
      rule: "--update-secrets=/MOUNT/PATH/FILE=S:V; without items the file is mountPath/SECRET_NAME, not the directory",
      commands: () =>
        fixesFor(
          { containers: [{ volumeSecrets: [{ mountPath: "/secrets", secret: "jwt", noItems: true }] }] },
          { secret: "jwt", version: "2" },
          "version",
        ),
      expected: [`${UPDATE} --update-secrets=/secrets/jwt=jwt:2`],
    },
    {
      name: "traffic to the latest ready revision",
      rule: "gcloud run services update-traffic S --to-latest",
      commands: () => [gcloud.trafficToLatest(T)],
      expected: ["gcloud run services update-traffic api --project=acme-staging --region=us-central1 --to-latest"],
    },
    {
      name: "traffic to one named revision",
      rule: "gcloud run services update-traffic S --to-revisions=REVISION=PERCENT",
      commands: () => [gcloud.trafficToRevision(T, "api-00002-rdy")],
      expected: [
        "gcloud run services update-traffic api --project=acme-staging --region=us-central1 " +
          "--to-revisions=api-00002-rdy=100",
      ],
    },
    {
      name: "describe a revision, and never one without a name",
      rule: "gcloud run revisions describe REVISION: the positional REVISION is required",
      commands: () => [
        gcloud.describeRevision(T, "api-00003-bad"),
        gcloud.describeRevision(T, undefined),
        gcloud.describeRevision(T, ""),
      ],
      expected: [
        "gcloud run revisions describe api-00003-bad --project=acme-staging --region=us-central1",
        undefined,
        undefined,
      ],
    },
    {
      name: "a secret to create, its first version, and access for the runtime account, in order",
      rule:
        "gcloud secrets create S; gcloud secrets versions add S --data-file=- (stdin: the value comes from a " +
        "person); gcloud secrets add-iam-policy-binding S --member --role",
      commands: () => [
        gcloud.createSecret("acme-shared", "jwt"),
        gcloud.addSecretVersion("acme-shared", "jwt"),
        gcloud.grantSecretAccess("acme-shared", "jwt", "api@acme-staging.iam.gserviceaccount.com"),
      ],
      expected: [
        "gcloud secrets create jwt --project=acme-shared --replication-policy=automatic",
        "gcloud secrets versions add jwt --project=acme-shared --data-file=-",
        "gcloud secrets add-iam-policy-binding jwt --project=acme-shared " +
          "--member=serviceAccount:api@acme-staging.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor",
      ],
    },
    {
      name: "a disabled version enabled again",
      rule: "gcloud secrets versions enable VERSION --secret=SECRET",
      commands: () => [gcloud.enableSecretVersion("acme-staging", "jwt", "3")],
      expected: ["gcloud secrets versions enable 3 --secret=jwt --project=acme-staging"],
    },
    {
      name: "a rollout's conditions, and a failing service's latest logs",
      rule: "gcloud run services describe S --format=value(...); gcloud run services logs read S --limit=N",
      commands: () => [gcloud.describeServiceConditions(T), gcloud.readServiceLogs(T)],
      expected: [
        "gcloud run services describe api --project=acme-staging --region=us-central1 " +
          '--format="value(status.conditions)"',
        "gcloud run services logs read api --project=acme-staging --region=us-central1 --limit=50",
      ],
    },
    {
      name: "a service and a revision as YAML, for a snapshot file",
      rule: "gcloud run services describe S --format yaml; gcloud run revisions describe REVISION --format yaml",
      commands: () => [gcloud.describeServiceYaml(T), gcloud.describeRevisionYaml(T, "api-00002-rdy")],
      expected: [
        "gcloud run services describe api --project=acme-staging --region=us-central1 --format yaml",
        "gcloud run revisions describe api-00002-rdy --project=acme-staging --region=us-central1 --format yaml",
      ],
    },
    {
      name: "what lets the app read a project again",
      rule: "gcloud run services list --region; gcloud services enable API; gcloud auth application-default login",
      commands: () => [
        gcloud.listServices("acme-staging", "us-central1"),
        gcloud.enableApi("acme-staging", "run.googleapis.com"),
        gcloud.applicationDefaultLogin(),
      ],
      expected: [
        "gcloud run services list --project=acme-staging --region=us-central1",
        "gcloud services enable run.googleapis.com --project=acme-staging",
        "gcloud auth application-default login",
      ],
    },
    {
      name: "drift: the flags for a literal and a secret in one update",
      rule: "--update-env-vars=KEY=VALUE and --update-secrets=KEY=S:V may be given together",
      commands: () => [
        gcloud.updateService(T, [
          gcloud.literalFlag("A"),
          gcloud.secretFlag(T, "B", { secret: "b", version: "latest" }),
        ]),
      ],
      expected: [`${UPDATE} --update-env-vars=A=VALUE --update-secrets=B=b:latest`],
    },
  ];

describe("every kind of fix command follows its gcloud rule", () => {
  it.each(rows)("$name ($rule)", ({ commands, expected }) => {
    expect(commands()).toEqual(expected);
  });

  it("no command the diagnosis prints has a container flag before --container=NAME", () => {
    for (const line of rows.flatMap((r) => r.commands()).filter((c): c is string => Boolean(c))) {
      const container = line.indexOf("--container=");
      if (container < 0) continue;
      for (const flag of ["--update-secrets", "--remove-secrets", "--update-env-vars", "--remove-env-vars"]) {
        const at = line.indexOf(flag);
        if (at >= 0) expect(at).toBeGreaterThan(container);
      }
    }
  });
});

describe("gcloud-commands is the one place that writes a command", () => {
  // A command with its project filled in, or a string that starts with `gcloud `, anywhere else in src/ is one more
  // place a command could drift from the rule its row above checks.
  const COMMAND = /--(project|region)=\$\{|(?:return|fix:|\?|:)\s*["'`]gcloud /;
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  it("no other source file builds gcloud command text", () => {
    const offenders = files("src")
      .filter((f) => !f.endsWith("gcloud-commands.ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .flatMap((line, i) => (COMMAND.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
