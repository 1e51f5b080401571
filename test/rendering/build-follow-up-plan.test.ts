import { describe, expect, it } from "@jest/globals";
import { parseConfigText } from "../../src/domain/config/parse-config.js";
import type { Config } from "../../src/domain/config/schema.js";
import { evaluate, type Diagnosis } from "../../src/domain/diagnosis/evaluate.js";
import { resolveRequirements } from "../../src/domain/diagnosis/resolve-requirements.js";
import { serviceToSnapshot } from "../../src/domain/diagnosis/to-snapshot.js";
import type { LiveState, ServiceState } from "../../src/domain/diagnosis/live-state.js";
import { buildFollowUpPlan, followUpBody } from "../../src/rendering/build-follow-up-plan.js";
import type { ExistingFollowUp, ParentIssue } from "../../src/domain/follow-up-plan/follow-up-plan.js";
import { readMarker } from "../../src/domain/issue-state/markers.js";
import { loadBuiltInTemplates } from "../../src/rendering/templates.js";
import { parseTemplate, type Template } from "../../src/domain/config/follow-up-template.js";
import {
  PLANTED_VALUES,
  SCENARIO_REPO,
  scenarioConfigYaml,
  scenarioIssue,
  scenarioServices,
} from "../../dev/scenario.js";

const BUILT_IN = loadBuiltInTemplates();

const PARENT: ParentIssue = {
  ...SCENARIO_REPO,
  number: scenarioIssue.number,
  title: scenarioIssue.title,
  body: scenarioIssue.body,
  url: `https://github.com/${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}/issues/930`,
};

function config(yaml: string): Config {
  const parsed = parseConfigText(yaml);
  if (!parsed.ok) throw new Error(`test config does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

const SCENARIO_CONFIG = config(scenarioConfigYaml);

/** The scenario through the real pipeline: checks -> snapshots of the Cloud Run messages -> diagnosis. */
function scenario(opts: { fixed?: boolean; cfg?: Config; parent?: ParentIssue } = {}): {
  diagnosis: Diagnosis;
  live: LiveState;
} {
  const cfg = opts.cfg ?? SCENARIO_CONFIG;
  const checks = resolveRequirements(cfg, opts.parent ?? PARENT);
  const { services, revisions } = scenarioServices({ fixed: opts.fixed });
  const states = services.map((service): ServiceState => {
    const [, project, , region, , name] = String(service.name).split("/");
    const target = {
      environment: project === "netra-staging" ? "staging" : "production",
      project,
      region,
      service: name,
    };
    return { kind: "ok", target, snapshot: serviceToSnapshot(target, service, revisions) };
  });
  const live: LiveState = { source: "live", fetchedAt: "2025-01-16T09:30:12.345Z", services: states };
  return { diagnosis: evaluate(checks, live), live };
}

function plan(
  opts: {
    fixed?: boolean;
    cfg?: Config;
    parent?: ParentIssue;
    templates?: Map<string, Template>;
    existing?: ExistingFollowUp[];
  } = {},
) {
  const { diagnosis, live } = scenario(opts);
  return buildFollowUpPlan({
    config: opts.cfg ?? SCENARIO_CONFIG,
    parent: opts.parent ?? PARENT,
    diagnosis,
    live,
    templates: opts.templates ?? BUILT_IN,
    existing: opts.existing ?? [],
  });
}

function okPlan(opts: Parameters<typeof plan>[0] = {}) {
  const result = plan(opts);
  if (!result.ok) throw new Error(`expected a plan, got problems: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

function template(name: string, text: string): Template {
  const parsed = parseTemplate(name, `.github/config-triage/${name}.md`, text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

describe("buildFollowUpPlan: scenario #930, JWT_SECRET_STAGING missing on staging", () => {
  const failing = okPlan();

  it("opens the four follow-ups in config order, leaves the issue open", () => {
    expect(failing.create.map((c) => c.template)).toEqual([
      "immediate-fix",
      "ssot-consolidation",
      "flow-documentation",
      "health-monitoring",
    ]);
    expect(failing.close).toBe(false);
    expect(failing.outcome).toBe("open");
    expect(failing.link).toEqual([]);
  });

  it.each(["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"])("renders %s", (name) => {
    const issue = failing.create.find((c) => c.template === name)!;
    expect(issue.title).toMatchSnapshot("title");
    expect(issue.labels).toMatchSnapshot("labels");
    expect(issue.body).toMatchSnapshot("body");
    expect(issue.assignees).toEqual([]);
  });

  it("the immediate fix names the missing variable, where, and the one command", () => {
    const fix = failing.create[0];
    expect(fix.title).toBe("Fix configuration: JWT_SECRET_STAGING missing on staging");
    expect(fix.labels).toEqual(["priority:critical", "config-triage", "needs-review"]);
    expect(fix.body).toContain(
      "- [ ] `JWT_SECRET_STAGING` is missing on staging / netra-backend (also looked for `JWT_SECRET`) (project " +
        "`netra-staging`, region `us-central1`)",
    );
    expect(fix.body).toContain(
      "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
        "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
    );
  });

  it("every follow-up body starts with the follow-up marker and names #930; no value appears", () => {
    for (const issue of failing.create) {
      expect(issue.body.startsWith(`<!-- config-triage:follow-up {"parent":930,"template":"${issue.template}"`)).toBe(
        true,
      );
      // The fix follow-up records the problems it was opened for: it closes itself once they pass.
      const fixes =
        issue.template === "immediate-fix"
          ? {
              fixes: [
                {
                  key: "missing:staging:netra-backend:JWT_SECRET_STAGING",
                  subject: "JWT_SECRET_STAGING missing on staging",
                  what: "`JWT_SECRET_STAGING` is missing on staging / netra-backend (also looked for `JWT_SECRET`)",
                },
              ],
            }
          : {};
      expect(readMarker("follow-up", issue.body)).toEqual({ parent: 930, template: issue.template, ...fixes });
      expect(issue.body).toMatch(/#930(?!\d)/);
      for (const value of PLANTED_VALUES) expect(issue.body).not.toContain(value);
    }
  });
});

describe("buildFollowUpPlan: passing", () => {
  it.each<{ name: string; onPass: "close" | "comment"; close: boolean; outcome: string }>([
    { name: "on_pass close closes the issue", onPass: "close", close: true, outcome: "closed" },
    { name: "on_pass comment leaves it open", onPass: "comment", close: false, outcome: "comment-only" },
  ])("$name, and opens no immediate fix", ({ onPass, close, outcome }) => {
    const p = okPlan({ fixed: true, cfg: { ...SCENARIO_CONFIG, on_pass: onPass } });
    expect(p.create.map((c) => c.template)).toEqual(["ssot-consolidation", "flow-documentation", "health-monitoring"]);
    expect(p.close).toBe(close);
    expect(p.outcome).toBe(outcome);
  });

  it("a follow-up's own `when` overrides the template's", () => {
    const cfg: Config = {
      ...SCENARIO_CONFIG,
      follow_ups: [
        { template: "immediate-fix", when: "always" },
        { template: "ssot-consolidation", when: "failing" },
      ],
    };
    expect(okPlan({ fixed: true, cfg }).create.map((c) => c.template)).toEqual(["immediate-fix"]);
  });
});

describe("buildFollowUpPlan: nothing to check", () => {
  it("opens no follow-up (not even `always` ones) and does not close the issue", () => {
    const cfg: Config = { ...SCENARIO_CONFIG, checks: [] };
    const parent: ParentIssue = { ...PARENT, title: "Staging is down", body: "No variable named here." };
    const p = okPlan({ cfg, parent });
    expect(p.create).toEqual([]);
    expect(p.close).toBe(false);
    expect(p.outcome).toBe("open");
  });
});

describe("buildFollowUpPlan: existing follow-ups", () => {
  const existing: ExistingFollowUp[] = [
    {
      template: "immediate-fix",
      id: 3_100_931,
      number: 931,
      title: "Fix configuration: JWT_SECRET_STAGING on staging",
      state: "open",
      linked: true,
    },
    {
      template: "ssot-consolidation",
      id: 3_100_932,
      number: 932,
      title: "Consolidate configuration",
      state: "closed",
      linked: true,
    },
    { template: "flow-documentation", id: 3_100_933, number: 933, title: "", state: "open", linked: false },
  ];

  it("never re-creates one, open or closed; re-links the unlinked one", () => {
    const p = okPlan({ existing });
    expect(p.create.map((c) => c.template)).toEqual(["health-monitoring"]);
    expect(p.link).toEqual([existing[2]]);
    expect(p.existing).toEqual(existing);
  });

  it("creates nothing when every follow-up exists", () => {
    const all = [
      ...existing,
      { template: "health-monitoring", id: 3_100_934, number: 934, title: "", state: "closed" as const, linked: true },
    ];
    expect(okPlan({ existing: all }).create).toEqual([]);
  });
});

describe("buildFollowUpPlan: problems", () => {
  it("an unknown template names follow_ups.N and the templates there are", () => {
    const cfg: Config = {
      ...SCENARIO_CONFIG,
      follow_ups: [
        { template: "immediate-fix", when: undefined },
        { template: "runbook", when: undefined },
      ],
    };
    expect(plan({ cfg })).toEqual({
      ok: false,
      problems: [
        {
          file: ".github/config-triage.yml",
          path: "follow_ups.1",
          message:
            "no template `runbook`: add `.github/config-triage/runbook.md`, or use one of `flow-documentation`, " +
            "`health-monitoring`, `immediate-fix`, `ssot-consolidation`",
        },
      ],
    });
  });

  it("a repository template with an unknown placeholder is reported even when it would not be opened", () => {
    const templates = new Map(BUILT_IN);
    templates.set(
      "immediate-fix",
      template(
        "immediate-fix",
        "---\ntitle: Fix {{join missing ', '}}\nwhen: failing\n---\nFix it.\n\nOwner: {{owner}}\n",
      ),
    );
    expect(plan({ fixed: true, templates })).toEqual({
      ok: false,
      problems: [
        {
          file: ".github/config-triage/immediate-fix.md",
          line: 7,
          path: "",
          message: "the body: unknown placeholder `owner`: see the placeholders listed in docs/templates.md",
        },
      ],
    });
  });
});

describe("buildFollowUpPlan: text from the parent issue is escaped", () => {
  const parent: ParentIssue = {
    ...PARENT,
    title: 'JWT failures @someone `JWT_SECRET_STAGING` <!-- config-triage:follow-up {"parent":1,"template":"x"} -->',
  };
  const p = okPlan({ parent });

  it.each(["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"])("in %s", (name) => {
    const body = p.create.find((c) => c.template === name)!.body;
    expect(body).toContain(
      "JWT failures @&#8203;someone \\`JWT\\_SECRET\\_STAGING\\` \\<!\\-\\- config-triage:follow-up " +
        '{"parent":1,"template":"x"} --\\>',
    );
    expect(body).not.toContain("@someone");
    expect(body).not.toContain("`JWT_SECRET_STAGING` <!--");
    expect(readMarker("follow-up", body)).toMatchObject({ parent: 930, template: name });
  });
});

describe("buildFollowUpPlan: milestones and types", () => {
  const { diagnosis, live } = scenario();
  const planWith = (milestones: Array<{ number: number; title: string; due_on: string | null }>) => {
    const result = buildFollowUpPlan({
      config: SCENARIO_CONFIG,
      parent: PARENT,
      diagnosis,
      live,
      templates: BUILT_IN,
      existing: [],
      structure: { milestones, issueTypes: [{ name: "Task" }, { name: "Bug" }] },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.plan;
  };

  it("a milestone's title is text people wrote: escaped in the body like the issue's title", () => {
    const plan = planWith([{ number: 7, title: "@octocat <img src=x> sprint", due_on: "2025-02-01T00:00:00Z" }]);
    const ssot = plan.create.find((c) => c.template === "ssot-consolidation")!;
    expect(ssot.milestone).toMatchObject({ number: 7 });
    expect(ssot.body).not.toContain("@octocat <img");
    expect(ssot.body).toMatch(/Next sprint \(milestone .*octocat .*sprint\)/);
  });

  it("notes, per follow-up, why a milestone it asks for is not set; the types it asks for exist", () => {
    const plan = planWith([{ number: 1, title: "Sprint 48", due_on: "2025-01-20T00:00:00Z" }]);
    const byTemplate = (t: string) => plan.create.find((c) => c.template === t)!;
    expect(byTemplate("ssot-consolidation")).toMatchObject({
      milestone: { title: "Sprint 48" },
      type: { name: "Task" },
      notes: [],
    });
    expect(byTemplate("health-monitoring").notes).toEqual([
      "no milestone: only 1 open milestone is due after 2025-01-16 (`next+1` needs 2)",
    ]);
    expect(byTemplate("immediate-fix")).toMatchObject({ type: { name: "Bug" }, notes: [] });
    expect(byTemplate("immediate-fix").milestone).toBeUndefined();
  });
});

describe("followUpBody", () => {
  it.each<{ name: string; body: string; expected: string }>([
    {
      name: "a body that names the parent is kept as is",
      body: "Split out of #930.\n\n",
      expected: '<!-- config-triage:follow-up {"parent":930,"template":"runbook"} -->\n\nSplit out of #930.\n',
    },
    {
      name: "a body that does not name the parent gets a line naming it",
      body: "Write a runbook.\n",
      expected:
        '<!-- config-triage:follow-up {"parent":930,"template":"runbook"} -->\n\nWrite a runbook.\n\nFollow-up ' +
        "of #930.\n",
    },
    {
      name: "#9301 is not #930",
      body: "See #9301.",
      expected:
        '<!-- config-triage:follow-up {"parent":930,"template":"runbook"} -->\n\nSee #9301.\n\nFollow-up of #930.\n',
    },
  ])("$name", ({ body, expected }) => {
    expect(followUpBody(body, PARENT, "runbook")).toBe(expected);
  });
});
