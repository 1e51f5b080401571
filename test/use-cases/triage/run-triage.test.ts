/**
 * The triage as a table: a world (the scenario's repository and #930 on the in-memory fake GitHub, Cloud Run through
 * the real client on the local emulator), one `runTriage` as the trigger label and the commands call it, and what a
 * person then sees: the diagnosis comment, the follow-ups with their labels, milestones, types and dependencies, the
 * parent's state. The outcome is the triage's result (what the Action reports).
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { FakeGitHub } from "../../../dev/fake-github.js";
import type { GitHubWorld } from "../../../dev/github-world.js";
import { parseAllowedProjects } from "../../../src/domain/config/allowed-projects.js";
import type { Proposal } from "../../../src/domain/follow-up-plan/to-proposal.js";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import {
  runTriage,
  type TriageNeeds,
  type TriageOptions,
  type TriageOutcome,
} from "../../../src/use-cases/triage/run-triage.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";
import {
  addFollowUps,
  diagnosisOf,
  FULL,
  followUpsOf,
  portsFor,
  scenarioDeps,
  scenarioWorld,
} from "../../support/scenario-world.js";
import { useCloudRunEmulator } from "../../support/test-app.js";

const cloudRun = useCloudRunEmulator();
beforeEach(() => {
  for (const s of scenarioServices().services) cloudRun.emulator.setService(s);
});

/** The scenario's follow-ups as a first triage opens them: #933 waits for #932; milestones and types per template. */
const OPENED = [
  { number: 931, title: "Fix configuration: JWT_SECRET_STAGING missing on staging", milestone: undefined, type: "Bug" },
  { number: 932, milestone: "Sprint 48", type: "Task", blockedBy: [] },
  { number: 933, milestone: "Sprint 48", type: "Task", blockedBy: [932] },
  { number: 934, milestone: "Sprint 49", type: "Task", blockedBy: [] },
];

interface Row {
  /** The config the repository has (the scenario's by default; null: none). */
  config?: string | null;
  /** Sets the world up; `triage` runs an earlier triage. */
  given?: (w: GitHubWorld, triage: () => Promise<TriageOutcome>) => unknown;
  options?: TriageOptions;
  deps?: Partial<TriageNeeds>;
  answers?: Partial<FakeGitHub>;
  sees: (outcome: TriageOutcome, w: GitHubWorld) => void;
}

async function runRow(row: Row): Promise<void> {
  const world = scenarioWorld(row.config === undefined ? scenarioConfigYaml : row.config);
  // One set of dependencies for the row's runs, as the app keeps one (the triage counter above all).
  const deps = scenarioDeps(world, cloudRun.clients, row.deps);
  const triage = (options?: TriageOptions, answers?: Partial<FakeGitHub>) => {
    const parent = world.issue(FULL, scenarioIssue.number)!;
    const issue = {
      ...{ owner: FULL.split("/")[0], repo: FULL.split("/")[1] },
      ...{ number: parent.number, title: parent.title, body: parent.body, state: parent.state },
      url: `https://github.com/${FULL}/issues/${parent.number}`,
    };
    return runTriage(portsFor(world, parent.number, answers), issue, deps, undefined, options);
  };
  await row.given?.(world, () => triage());
  row.sees(await triage(row.options, row.answers), world);
  expect(world.violations).toEqual([]);
}

const diagnosis = (w: GitHubWorld) => diagnosisOf(w)?.body ?? "";
const parentState = (w: GitHubWorld) => `${w.issue(FULL, 930)!.state}/${w.issue(FULL, 930)!.state_reason}`;
const fixServices = () => {
  for (const s of scenarioServices({ fixed: true }).services) cloudRun.emulator.setService(s);
};

describe("runTriage", () => {
  it.each(
    Object.entries<Row>({
      "auto: opens the follow-ups as sub-issues with the review label and their structure, and comments once": {
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [931, 932, 933, 934], closed: false });
          expect(followUpsOf(w)).toMatchObject(OPENED);
          for (const f of followUpsOf(w)) expect(f.labels).toContain("needs-review");
          expect(w.issue(FULL, 930)!.comments).toHaveLength(1);
          expect(diagnosis(w)).toMatch(/#933 .* — open · blocked by #932 · milestone `Sprint 48` · type `Task`/);
          expect(parentState(w)).toBe("open/null");
        },
      },
      "review mode: posts the diagnosis and the plan, and creates nothing": {
        config: `${scenarioConfigYaml}mode: review\n`,
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [] });
          expect(diagnosis(w)).toContain("would create:");
          expect(readMarker<{ plan: Proposal }>("diagnosis", diagnosis(w))!.plan.items).toHaveLength(4);
          expect(followUpsOf(w)).toEqual([]);
        },
      },
      "a repeated run finds what the first wrote and writes nothing": {
        given: async (_w, triage) => triage(),
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [] });
          expect(w.issues(FULL)).toHaveLength(5);
          const comment = w.issue(FULL, 930)!.comments[0];
          expect(comment.updated_at).toBe(comment.created_at);
          expect(followUpsOf(w)).toMatchObject(OPENED);
        },
      },
      "every check passes: the parent is closed as completed, with no fix to open (the architecture work stays)": {
        given: fixServices,
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", closed: true, created: [931, 932, 933] });
          expect(parentState(w)).toBe("closed/completed");
          expect(followUpsOf(w).map((f) => f.title)).not.toContainEqual(expect.stringMatching(/^Fix configuration/));
        },
      },
      "every check passes with `on_pass: comment`: the parent stays open": {
        config: `${scenarioConfigYaml}on_pass: comment\n`,
        given: fixServices,
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", closed: false });
          expect(parentState(w)).toBe("open/null");
        },
      },
      "a run that may not close (the commands) leaves a passing parent open": {
        given: fixServices,
        options: { mayClose: false },
        sees: (_outcome, w) => expect(parentState(w)).toBe("open/null"),
      },
      "no config: the comment names the file to add, and nothing else is written": {
        config: null,
        sees: (outcome, w) => {
          expect(outcome.kind).toBe("config-error");
          expect(diagnosis(w)).toContain("`.github/config-triage.yml`");
          expect(diagnosis(w)).toContain("the file does not exist");
          expect(w.issues(FULL)).toHaveLength(1);
        },
      },
      "a config that does not parse: the problem with its line": {
        config: "labels: [triage:config\nenvironments: {}\n",
        sees: (outcome, w) => {
          expect(outcome.kind).toBe("config-error");
          expect(diagnosis(w)).toMatch(/`\.github\/config-triage\.yml`, line \d+/);
          expect(diagnosis(w)).toContain("the YAML does not parse");
        },
      },
      "a follow-up a dead run opened but never linked is found and linked, not opened twice": {
        given: (w) => addFollowUps(w, { "immediate-fix": { parent: null } }, ["immediate-fix"]),
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [932, 933, 934] });
          expect(followUpsOf(w).map((f) => f.number)).toEqual([932, 933, 934, 931]);
          expect(w.issues(FULL)).toHaveLength(5);
        },
      },
      "a follow-up that is no longer a sub-issue is linked again": {
        given: async (w, triage) => {
          await triage();
          const parent = w.issue(FULL, 930)!;
          const fix = w.issue(FULL, 931)!;
          parent.sub_issues = parent.sub_issues.filter((id) => id !== fix.id);
          fix.parent = null;
        },
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [] });
          expect(followUpsOf(w).map((f) => f.number)).toEqual([932, 933, 934, 931]);
        },
      },
      "a GitHub without issue dependencies: the follow-ups open and the comment names the link not made": {
        given: (w) => {
          w.repo(FULL)!.dependencies = "absent";
        },
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [931, 932, 933, 934] });
          expect(followUpsOf(w).map((f) => f.blockedBy)).toEqual([[], [], [], []]);
          expect(diagnosis(w)).toContain("#933 is blocked by #932: not recorded (HTTP 404");
        },
      },
      "`max_follow_ups` caps what one run opens, and says so": {
        config: `${scenarioConfigYaml}max_follow_ups: 2\n`,
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "done", created: [931, 932] });
          expect(diagnosis(w)).toContain("#### Follow-up limit reached");
          expect(diagnosis(w)).toContain("This triage needed 4 new follow-up issues");
        },
      },
      "`max_triages_per_hour`: the next triage is refused and writes nothing": {
        config: `${scenarioConfigYaml}max_triages_per_hour: 1\n`,
        given: async (w, triage) => {
          await triage();
          expect(w.issues(FULL)).toHaveLength(5);
        },
        sees: (outcome, w) => {
          expect(outcome).toMatchObject({ kind: "limited", first: true });
          expect((outcome as { message: string }).message).toContain("max_triages_per_hour");
          expect(w.issue(FULL, 930)!.comments).toHaveLength(1);
        },
      },
      "a project the operator did not allow is refused before anything is read from Google": {
        deps: { allowedProjects: parseAllowedProjects("netra-systems=netra-staging") },
        sees: (outcome, w) => {
          expect(outcome.kind).toBe("config-error");
          expect(diagnosis(w)).toContain("to check GCP project `netra-production`, so nothing was read");
          expect(followUpsOf(w)).toEqual([]);
        },
      },
      "a repository template overrides the built-in one of the same name": {
        given: (w) =>
          w.setFile(
            FULL,
            ".github/config-triage/immediate-fix.md",
            '---\ntitle: "Hotfix: {{summary}}"\nlabels: ["hotfix"]\n---\nFix it now.\n',
          ),
        sees: (_outcome, w) => {
          expect(followUpsOf(w)[0]).toMatchObject({ number: 931, title: expect.stringMatching(/^Hotfix: /) });
          expect(followUpsOf(w)[0].labels).toEqual(["hotfix", "needs-review"]);
        },
      },
      "a broken repository template is a config error at its file, and no follow-up is opened": {
        given: (w) => w.setFile(FULL, ".github/config-triage/immediate-fix.md", "---\ntitle: [\n---\nbody\n"),
        sees: (outcome, w) => {
          expect(outcome.kind).toBe("config-error");
          expect(diagnosis(w)).toContain("`.github/config-triage/immediate-fix.md`");
          expect(followUpsOf(w)).toEqual([]);
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});
