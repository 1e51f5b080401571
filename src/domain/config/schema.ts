import { z } from "zod";
import { DURATION, parseDuration } from "./parse-duration.js";

/** Where a variable's value must come from. */
export const SourceRule = z
  .enum(["secret-manager", "literal", "any"])
  .describe("Where the value must come from: `secret-manager` (a Secret Manager reference), `literal`, or `any`.");

const name = z.string().min(1);

/** One Cloud Run environment: a GCP project, a region and the services in it. */
export const EnvironmentSchema = z
  .strictObject({
    project: name.describe("The GCP project id, e.g. `acme-staging`."),
    region: name.describe("The Cloud Run region, e.g. `us-central1`."),
    services: z.array(name).min(1).describe("The Cloud Run services to check in this project and region."),
    snapshot: name
      .optional()
      .describe(
        "Read this environment from a snapshot file instead of the live API: a path in the repository (default " +
          "branch) to the output of `gcloud run services describe SERVICE --format yaml`, one YAML document per " +
          "service.",
      ),
    health: z
      .strictObject({
        path: z
          .string()
          .regex(/^\//, "must start with /, e.g. /health")
          .describe("Requested at the service's URL, e.g. `/health`."),
        timeout_ms: z
          .number()
          .int()
          .positive()
          .max(30_000)
          .default(5_000)
          .describe("How long to wait for an answer (default 5000)."),
        services: z
          .array(name)
          .optional()
          .describe("The services to probe (default: every service of the environment)."),
      })
      .optional()
      .describe(
        "After the configuration check, request `{service URL}{path}` and report status and latency. Only URLs read " +
          "live from Cloud Run are requested: an environment read from a `snapshot:` is not probed.",
      ),
  })
  .describe("A Cloud Run environment.");

/** One required environment variable. */
export const RequirementSchema = z
  .strictObject({
    variable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name such as JWT_SECRET_STAGING")
      .describe("The environment variable that must be set."),
    aliases: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"))
      .default([])
      .describe("Other names that satisfy the check, e.g. `[JWT_SECRET]`."),
    environments: z
      .array(name)
      .optional()
      .describe("The environments this check applies to (default: every environment)."),
    services: z
      .array(name)
      .optional()
      .describe("The services this check applies to (default: every service of the environment)."),
    from: SourceRule.default("any"),
    version: z
      .string()
      .regex(/^(latest|[1-9][0-9]*)$/, "must be `latest` or a version number such as 3")
      .optional()
      .describe(
        "The Secret Manager version the reference must use, e.g. `latest` to flag a reference pinned to an old number.",
      ),
    secret: name
      .optional()
      .describe(
        "The Secret Manager secret that should hold the value; used in the fix command (default: the variable name " +
          "in kebab-case).",
      ),
    why: z.string().optional().describe("One line on why the variable matters, shown in the diagnosis."),
  })
  .describe("An environment variable that must be set on the services.");

/** A template's name: its file name without `.md`. */
export const TEMPLATE_NAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a template name: lower-case letters, digits and dashes, without .md");

/** One follow-up issue to open from a template. */
const templateName = TEMPLATE_NAME.describe(
  "The template's file name without `.md`, from `.github/config-triage/` or the app's `templates/`.",
);

export const FollowUpSchema = z
  .union([
    templateName.transform((template) => ({ template, when: undefined })),
    z.strictObject({
      template: templateName,
      when: z
        .enum(["always", "failing"])
        .optional()
        .describe("`always`, or `failing`: only when a check fails (default: the template's own `when`)."),
    }),
  ])
  .describe("A follow-up issue rendered from a template: its name, or `{ template, when }`.");

/** The longest a watch may run (`watch.for`) and the longest interval between two rechecks (`watch.every`). */
export const WATCH_MAX_FOR = "30d";
export const WATCH_MAX_EVERY = "1d";

const duration = (what: string) =>
  z.string().regex(DURATION, `must be a whole number and a unit (s, m, h or d), e.g. \`30m\` or \`7d\`: ${what}`);

/** `watch:` rechecks an open triaged issue on a schedule until it passes (off unless the key is there). */
export const WatchSchema = z
  .strictObject({
    every: duration("how often to recheck")
      .default("30m")
      .describe(
        "How often to recheck the live state (default `30m`; at least the deployment's minimum, `5m` unless the " +
          "operator sets `CONFIG_TRIAGE_WATCH_MIN_EVERY`; at most `1d`).",
      ),
    for: duration("how long to keep watching")
      .default("7d")
      .describe("How long after the triage to keep rechecking (default `7d`, at most `30d`)."),
  })
  .superRefine((watch, ctx) => {
    const every = parseDuration(watch.every) ?? 0;
    const span = parseDuration(watch.for) ?? 0;
    if (every > parseDuration(WATCH_MAX_EVERY)!)
      ctx.addIssue({ code: "custom", path: ["every"], message: `must be at most \`${WATCH_MAX_EVERY}\`` });
    if (span > parseDuration(WATCH_MAX_FOR)!)
      ctx.addIssue({ code: "custom", path: ["for"], message: `must be at most \`${WATCH_MAX_FOR}\`` });
    else if (every && span && span < every)
      ctx.addIssue({ code: "custom", path: ["for"], message: `must be at least \`every\` (\`${watch.every}\`)` });
  })
  .describe(
    "Recheck an open triaged issue on a schedule and close it (with its fix follow-up) once the live state passes. " +
      "Off unless present; `watch: {}` takes the defaults.",
  );

/** The minimum repository role a command needs. */
export const MinimumRoleSchema = z
  .enum(["anyone", "read", "triage", "write", "maintain", "admin"])
  .describe("`anyone`, or the weakest repository role allowed: `read`, `triage`, `write`, `maintain`, `admin`.");

/** The slash-commands whose minimum role can be configured (the registry test checks this list matches). */
export const COMMAND_NAMES = [
  "help",
  "recheck",
  "plan",
  "apply",
  "close",
  "reopen",
  "approve",
  "reject",
  "watch",
  "unwatch",
] as const;

export const RolesSchema = z
  .strictObject(
    Object.fromEntries(COMMAND_NAMES.map((n) => [n, MinimumRoleSchema.optional()])) as Record<
      (typeof COMMAND_NAMES)[number],
      z.ZodOptional<typeof MinimumRoleSchema>
    >,
  )
  .default({})
  .describe("The minimum role for each `/triage` command, overriding the defaults (e.g. `apply: maintain`).");

export const ConfigSchema = z
  .strictObject({
    labels: z
      .array(name)
      .min(1)
      .default(["triage:config"])
      .describe("Labels that start a triage when added to an issue."),
    environments: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "environment names are lower-case, e.g. staging"),
        EnvironmentSchema,
      )
      .refine((envs) => Object.keys(envs).length > 0, "must name at least one environment")
      .describe("The Cloud Run environments, by name (e.g. `staging`, `production`)."),
    checks: z.array(RequirementSchema).default([]).describe("The environment variables that must be set."),
    service_pairs: z
      .array(
        z
          .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "environment names are lower-case, e.g. staging"), name)
          .refine((pair) => Object.keys(pair).length >= 2, "must pair at least two environments"),
      )
      .default([])
      .describe(
        "Services that are the same service under different names, compared for drift, e.g. `- { staging: " +
          "web-preview, production: web }`. Without a pair, services are paired by name with environment affixes " +
          "removed (`api-staging` ~ `api`, `stg-api` ~ `prod-api`).",
      ),
    follow_ups: z
      .array(FollowUpSchema)
      .prefault(["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"])
      .describe("The follow-up issues to open, in order."),
    on_pass: z
      .enum(["close", "comment"])
      .default("close")
      .describe("When every check passes: `close` the issue as completed with a summary, or only `comment`."),
    mode: z
      .enum(["auto", "review"])
      .default("auto")
      .describe(
        "`auto`: the trigger label opens the follow-ups at once, each with the review label; `review`: it posts the " +
          "diagnosis and the plan, and nothing is created until `/triage apply`.",
      ),
    review_label: name
      .default("needs-review")
      .describe("The label put on each follow-up the app opens; `/triage approve` takes it off."),
    roles: RolesSchema,
    pull_requests: z
      .boolean()
      .default(false)
      .describe("Whether `/triage` commands in pull-request comments are run (default: ignored)."),
    label_role: MinimumRoleSchema.default("triage").describe(
      "The weakest repository role whose trigger label starts a triage (default `triage`). Issue forms add labels " +
        "for anyone who opens an issue: a label added by someone below this role only gets a note on the issue, once.",
    ),
    max_follow_ups: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe(
        "At most this many follow-up issues are opened by one triage (default 10); the next triage opens the rest.",
      ),
    watch: WatchSchema.optional(),
    max_triages_per_hour: z
      .number()
      .int()
      .min(1)
      .default(6)
      .describe(
        "At most this many triages of one issue per hour (label and `/triage` commands together, default 6); more " +
          "are refused with a note saying when the limit resets.",
      ),
  })
  .describe("config-triage: `.github/config-triage.yml`");

export type Config = z.output<typeof ConfigSchema>;
export type Requirement = Config["checks"][number];
export type Environment = Config["environments"][string];
export type FollowUpRule = Config["follow_ups"][number];

/** The file the app reads, relative to the repository root. */
export const CONFIG_FILE = "config-triage.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;
