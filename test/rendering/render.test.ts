import { describe, expect, it } from "@jest/globals";
import { parseConfigText } from "../../src/domain/config/parse-config.js";
import { evaluate, PROBLEM_KINDS, type Diagnosis } from "../../src/domain/diagnosis/evaluate.js";
import { resolveRequirements } from "../../src/domain/diagnosis/resolve-requirements.js";
import { serviceToSnapshot } from "../../src/domain/diagnosis/to-snapshot.js";
import type { LiveState, ServiceState } from "../../src/domain/diagnosis/live-state.js";
import { code, escapeMarkdown } from "../../src/rendering/escape-markdown.js";
import {
  isAppAuthored,
  readMarker,
  writeMarker,
  type AppIdentity,
  type Authored,
} from "../../src/domain/issue-state/markers.js";
import type { DiagnosisState } from "../../src/domain/issue-state/markers.js";
import {
  fitComment,
  GITHUB_COMMENT_LIMIT,
  renderDiagnosisComment,
  type FollowUpRef,
} from "../../src/rendering/render-diagnosis.js";
import { renderProblemsComment } from "../../src/rendering/render-problems.js";
import { PLANTED_VALUES, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../dev/scenario.js";

const FETCHED_AT = "2025-01-16T09:30:12.345Z";

/**
 * The scenario's diagnosis through the real pipeline: config -> checks -> snapshots of the emulator's messages ->
 * evaluate.
 */
function scenarioDiagnosis(
  opts: { fixed?: boolean; unreadable?: Partial<ServiceState> & { kind: "cannot-check" } } = {},
): Diagnosis {
  const parsed = parseConfigText(scenarioConfigYaml);
  if (!parsed.ok) throw new Error("scenario config does not parse");
  const checks = resolveRequirements(parsed.config, scenarioIssue);
  const { services, revisions } = scenarioServices({ fixed: opts.fixed });
  const states = services.map((service): ServiceState => {
    const [, project, , region, , name] = String(service.name).split("/");
    const environment = project === "netra-staging" ? "staging" : "production";
    const target = { environment, project, region, service: name };
    if (opts.unreadable && environment === "production" && name === "auth-service") {
      return { reason: "permission-denied", detail: "", ...opts.unreadable, target } as ServiceState;
    }
    return { kind: "ok", target, snapshot: serviceToSnapshot(target, service, revisions) };
  });
  const live: LiveState = { source: "live", fetchedAt: FETCHED_AT, services: states };
  return evaluate(checks, live);
}

const FOLLOW_UPS: FollowUpRef[] = [
  {
    template: "immediate-fix",
    number: 931,
    id: 3_100_931,
    title: "Fix configuration: JWT_SECRET_STAGING on staging",
    state: "open",
  },
  { template: "ssot-consolidation", number: 932, id: 3_100_932, title: "Consolidate configuration", state: "open" },
  {
    template: "flow-documentation",
    number: 933,
    id: 3_100_933,
    title: "Document the configuration flow",
    state: "closed",
  },
  { template: "health-monitoring", number: 934, id: 3_100_934, title: "Monitor configuration health", state: "open" },
];

describe("escapeMarkdown", () => {
  it.each<{ name: string; text: string; max?: number; expected: string }>([
    {
      name: "plain text is kept",
      text: "JWT Configuration Failures in GCP Staging",
      expected: "JWT Configuration Failures in GCP Staging",
    },
    {
      name: "a mention is neutralised with a zero-width space",
      text: "cc @octocat and @netra-systems/platform",
      expected: "cc @&#8203;octocat and @&#8203;netra-systems/platform",
    },
    { name: "a lone @ is left alone", text: "meet @ 10:00", expected: "meet @ 10:00" },
    {
      name: "backticks and underscores cannot open code or emphasis",
      text: "`JWT_SECRET_STAGING` is *missing*",
      expected: "\\`JWT\\_SECRET\\_STAGING\\` is \\*missing\\*",
    },
    {
      name: "a pasted diagnosis marker is neutralised",
      text: "<!-- config-triage:diagnosis {} -->",
      expected: "\\<!\\-\\- config-triage:diagnosis {} --\\>",
    },
    {
      name: "HTML cannot be injected",
      text: "<img src=x onerror=alert(1)>",
      expected: "\\<img src=x onerror=alert(1)\\>",
    },
    {
      name: "links and images cannot be formed",
      text: "![x](https://evil.example)",
      expected: "!\\[x\\](https://evil.example)",
    },
    {
      name: "headings, tables and strikethrough",
      text: "# Title | ~~old~~",
      expected: "\\# Title \\| \\~\\~old\\~\\~",
    },
    {
      name: "newlines and runs of whitespace collapse to one space",
      text: "  JWT failures\r\n\r\n## Root cause\n\t- missing   secret  ",
      expected: "JWT failures \\#\\# Root cause - missing secret",
    },
    {
      name: "cut at the default 256 characters with an ellipsis",
      text: "a".repeat(300),
      expected: `${"a".repeat(255)}…`,
    },
    {
      name: "cut at a custom length",
      text: "JWT Configuration Failures in GCP Staging",
      max: 10,
      expected: "JWT Confi…",
    },
    { name: "exactly at the limit is not cut", text: "a".repeat(256), expected: "a".repeat(256) },
  ])("$name", ({ text, max, expected }) => {
    expect(escapeMarkdown(text, max)).toBe(expected);
  });

  it("an escaped marker is not read as a marker", () => {
    const state = { v: 1, followUps: [{ template: "immediate-fix", number: 1, id: 1 }], problems: [] };
    const pasted = `<!-- config-triage:diagnosis ${JSON.stringify(state)} -->`;
    expect(readMarker("diagnosis", pasted)).toBeDefined(); // raw, it would be read
    expect(readMarker("diagnosis", escapeMarkdown(pasted, 1000))).toBeUndefined();
  });

  it.each([
    ["JWT_SECRET_STAGING", "`JWT_SECRET_STAGING`"],
    ["evil`name", "`evil'name`"],
  ])("code(%s) is %s", (name, expected) => {
    expect(code(name)).toBe(expected);
  });
});

describe("writeMarker / readMarker", () => {
  it.each<{ name: string; data: Record<string, unknown> }>([
    {
      name: "a diagnosis state",
      data: {
        v: 1,
        followUps: [{ template: "immediate-fix", number: 931, id: 3_100_931 }],
        problems: ["missing:staging:netra-backend:JWT_SECRET_STAGING"],
      },
    },
    { name: "a value containing -->", data: { parent: 930, template: "x", note: "a --> b" } },
    { name: "a value containing -- and ---", data: { note: "--flag and --- rule", dash: "-" } },
    { name: "a value containing > and <!--", data: { note: "<!-- nested --> >" } },
    { name: "a value with backslashes before dashes", data: { note: "\\--\\\\-->" } },
    { name: "negative numbers", data: { n: -1, m: -2.5 } },
  ])("round trip: $name", ({ data }) => {
    const marker = writeMarker("follow-up", data);
    expect(marker.startsWith("<!-- config-triage:follow-up ")).toBe(true);
    expect(marker.endsWith(" -->")).toBe(true);
    // Inside the comment there is no `--` and no `>`, so nothing can end it early.
    const inner = marker.slice("<!--".length, -"-->".length);
    expect(inner).not.toContain("--");
    expect(inner).not.toContain(">");
    expect(readMarker("follow-up", `Some text\n\n${marker}\n\nmore text -->`)).toEqual(data);
  });

  it.each<{ name: string; body: string | null | undefined }>([
    { name: "null body", body: null },
    { name: "undefined body", body: undefined },
    { name: "no marker", body: "Fix the staging secret" },
    { name: "another kind's marker", body: writeMarker("diagnosis", { v: 1 }) },
    { name: "an unterminated marker", body: '<!-- config-triage:follow-up {"parent":930}' },
    { name: "a marker with broken JSON", body: "<!-- config-triage:follow-up {parent:930} -->" },
  ])("reads nothing from $name", ({ body }) => {
    expect(readMarker("follow-up", body)).toBeUndefined();
  });
});

describe("isAppAuthored", () => {
  const app: AppIdentity = { appId: 123456, botLogin: "config-triage[bot]" };
  it.each<{ name: string; item: Authored; identity: AppIdentity; expected: boolean }>([
    {
      name: "written through the app (performed_via_github_app matches the app id)",
      item: { user: { login: "config-triage[bot]", type: "Bot" }, performed_via_github_app: { id: 123456 } },
      identity: app,
      expected: true,
    },
    {
      name: "another app's comment",
      item: { user: { login: "other-app[bot]", type: "Bot" }, performed_via_github_app: { id: 999 } },
      identity: { appId: 123456 },
      expected: false,
    },
    {
      name: "the bot login with type Bot (a workflow token)",
      item: { user: { login: "github-actions[bot]", type: "Bot" } },
      identity: { botLogin: "github-actions[bot]" },
      expected: true,
    },
    {
      name: "the bot login but type User is not enough",
      item: { user: { login: "github-actions[bot]", type: "User" } },
      identity: { botLogin: "github-actions[bot]" },
      expected: false,
    },
    {
      name: "a human who pasted a marker",
      item: { user: { login: "octocat", type: "User" }, performed_via_github_app: null },
      identity: app,
      expected: false,
    },
    { name: "a deleted user (user null)", item: { user: null }, identity: app, expected: false },
    {
      name: "no identity trusts nothing",
      item: { user: { login: "config-triage[bot]", type: "Bot" }, performed_via_github_app: { id: 123456 } },
      identity: {},
      expected: false,
    },
  ])("$name: $expected", ({ item, identity, expected }) => {
    expect(isAppAuthored(item, identity)).toBe(expected);
  });
});

describe("renderDiagnosisComment", () => {
  it("failing (scenario #930) with follow-ups: the fix command, the table, the follow-ups, no values", () => {
    const diagnosis = scenarioDiagnosis();
    expect(diagnosis.verdict).toBe("fail");
    const body = renderDiagnosisComment({ diagnosis, followUps: FOLLOW_UPS, outcome: "open" });
    expect(body).toMatchSnapshot();
    expect(body).toContain("### ❌ config-triage: 1 problem found");
    expect(body).toContain(
      "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    );
    expect(body).toContain(
      [
        "#### Follow-up issues",
        "- [ ] #931 Fix configuration: JWT\\_SECRET\\_STAGING on staging",
        "- [ ] #932 Consolidate configuration",
        "- [x] #933 Document the configuration flow",
        "- [ ] #934 Monitor configuration health",
      ].join("\n"),
    );
    for (const value of PLANTED_VALUES) expect(body).not.toContain(value);
    expect(readMarker<DiagnosisState>("diagnosis", body)).toEqual({
      v: 2,
      kinds: [...PROBLEM_KINDS],
      followUps: FOLLOW_UPS.map(({ template, number, id }) => ({ template, number, id })),
      problems: [
        "missing:staging:netra-backend:JWT_SECRET_STAGING",
        "drift:staging>production:netra-backend",
        "drift:staging>production:auth-service",
      ],
    });
  });

  it("passing and closed", () => {
    const diagnosis = scenarioDiagnosis({ fixed: true });
    expect(diagnosis.verdict).toBe("pass");
    const body = renderDiagnosisComment({ diagnosis, followUps: FOLLOW_UPS.slice(1), outcome: "closed" });
    expect(body).toMatchSnapshot();
    expect(body).toContain("### ✅ config-triage: every check passes");
    expect(body).toContain("config-triage closed this issue as completed");
    expect(body).not.toContain("gcloud");
  });

  it.each([
    [
      "by a label or a command",
      {},
      "Every check passes, so config-triage closed this issue as completed. The follow-ups above carry the " +
        "long-term work; `/triage reopen` reopens it.",
    ],
    [
      "by a scheduled recheck, with the fix follow-up",
      { scheduled: true, autoClosed: [931] },
      "Every check passes (found by the scheduled recheck), so config-triage closed this issue as completed, and " +
        "its fix #931 with it. The follow-ups above carry the long-term work; `/triage reopen` reopens the issue " +
        "and its fix.",
    ],
  ])("an automatic close says why in one line: %s", (_name, extra, line) => {
    const diagnosis = scenarioDiagnosis({ fixed: true });
    const body = renderDiagnosisComment({ diagnosis, followUps: FOLLOW_UPS, outcome: "closed", ...extra });
    expect(body.split("\n")).toContain(line);
    if ("autoClosed" in extra) expect(readMarker("diagnosis", body)).toMatchObject({ autoClosed: [931] });
  });

  it("passing, comment only (on_pass: comment)", () => {
    const body = renderDiagnosisComment({
      diagnosis: scenarioDiagnosis({ fixed: true }),
      followUps: [],
      outcome: "comment-only",
    });
    expect(body).toMatchSnapshot();
    expect(body).toContain("Every check passes. The configuration asks to leave the issue open.");
    expect(body).not.toContain("#### Follow-up issues");
  });

  it("incomplete: one service could not be read, the rest pass", () => {
    const diagnosis = scenarioDiagnosis({
      fixed: true,
      unreadable: {
        kind: "cannot-check",
        reason: "permission-denied",
        detail:
          "Permission 'run.services.get' denied on resource " +
          "'projects/netra-production/locations/us-central1/services/auth-service'",
        permission: "run.services.get",
      },
    });
    expect(diagnosis.verdict).toBe("incomplete");
    const body = renderDiagnosisComment({ diagnosis, followUps: [], outcome: "open" });
    expect(body).toMatchSnapshot();
    expect(body).toContain("### ❔ config-triage: 1 service could not be checked");
    expect(body).toContain("missing IAM permission `run.services.get` on project `netra-production`");
    expect(body).toContain("This issue stays open until every service can be checked and passes.");
    expect(body).toContain("Checked 3 variables on 3 services");
  });

  it("failing and one service could not be read", () => {
    const diagnosis = scenarioDiagnosis({
      unreadable: { kind: "cannot-check", reason: "unreachable", detail: "Deadline exceeded after 15.001s" },
    });
    const body = renderDiagnosisComment({ diagnosis, followUps: [], outcome: "open" });
    expect(body).toContain("### ❌ config-triage: 1 problem found, 1 service could not be checked");
    expect(body.indexOf("#### How to fix")).toBeLessThan(body.indexOf("#### Could not check"));
  });

  it("nothing to check", () => {
    const diagnosis: Diagnosis = {
      source: "live",
      fetchedAt: FETCHED_AT,
      results: [],
      problems: [],
      verdict: "nothing-to-check",
    };
    const body = renderDiagnosisComment({ diagnosis, followUps: [], outcome: "open" });
    expect(body).toMatchSnapshot();
    expect(body).toContain("### ℹ️ config-triage: nothing to check");
    expect(body).toContain("add `checks:` to `.github/config-triage.yml`");
  });

  it("a snapshot source says so instead of 'live from Cloud Run'", () => {
    const diagnosis = { ...scenarioDiagnosis({ fixed: true }), source: "snapshot" as const };
    const body = renderDiagnosisComment({ diagnosis, followUps: [], outcome: "comment-only" });
    expect(body).toContain(
      "Checked 4 variables on 4 services in 2 environments, from a configuration snapshot at 2025-01-16 09:30 UTC. " +
        "Values are never shown.",
    );
  });
});

describe("fitComment", () => {
  const NOTE = new RegExp(
    String.raw`\n\n> ✂️ This comment was cut to fit GitHub's 65,536-character limit: ` +
      String.raw`the last \d+ lines of the report above are not shown`,
  );

  it.each<{ name: string; length: number; limit?: number; cut: boolean }>([
    { name: "well under the limit", length: 1_000, cut: false },
    { name: "exactly at the limit", length: GITHUB_COMMENT_LIMIT, cut: false },
    { name: "one character over", length: GITHUB_COMMENT_LIMIT + 1, cut: true },
    { name: "far over", length: 200_000, cut: true },
    { name: "over a custom limit", length: 1_500, limit: 1_000, cut: true },
  ])("$name", ({ length, limit, cut }) => {
    const body = "x".repeat(length);
    const fitted = fitComment(body, limit);
    if (!cut) {
      expect(fitted).toBe(body);
      return;
    }
    expect(fitted.length).toBeLessThanOrEqual(limit ?? GITHUB_COMMENT_LIMIT);
    expect(fitted.length).toBeGreaterThan((limit ?? GITHUB_COMMENT_LIMIT) - 300);
    expect(fitted).toMatch(NOTE);
    expect(fitted.startsWith("x".repeat(Math.min(100, (limit ?? GITHUB_COMMENT_LIMIT) - 300)))).toBe(true);
  });

  it("closes a code block that the cut would leave open, and ends on a whole line", () => {
    const body = [
      "intro",
      "```sh",
      ...Array.from({ length: 5_000 }, (_, i) => `gcloud run services update svc-${i}`),
      "```",
    ].join("\n");
    const fitted = fitComment(body);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(fitted).toMatch(/gcloud run services update svc-\d+\n```\n\n> ✂️ [^\n]*$/);
  });
});

describe("renderProblemsComment", () => {
  it("lists each problem with file, line and column, from a broken config", () => {
    const parsed = parseConfigText(`environments:
  staging:
    project: netra-staging
    services: netra-backend
checks:
  - variable: JWT_SECRET_STAGING
    from: vault
    environments: [staging]
on_pas: close
`);
    if (parsed.ok) throw new Error("expected problems");
    const body = renderProblemsComment([
      ...parsed.problems,
      {
        file: ".github/config-triage/immediate-fix.md",
        line: 9,
        path: "",
        message: "the body: unknown placeholder `owner` (see the placeholders listed in docs/templates.md)",
      },
      {
        file: ".github/config-triage.yml",
        path: "follow_ups.2",
        message: "no template `runbook`: add `.github/config-triage/runbook.md`",
      },
    ]);
    expect(body).toMatchSnapshot();
    expect(body).toContain(
      "- `.github/config-triage.yml`, line 9, column 1: unknown key `on_pas`: did you mean `on_pass`?",
    );
    expect(body).toContain("- `.github/config-triage/immediate-fix.md`, line 9: the body: unknown placeholder `owner`");
    expect(body).toContain("- `.github/config-triage.yml`: no template `runbook`");
  });
});
