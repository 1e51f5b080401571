/**
 * Every `/triage` command as a table: a world (the scenario's repository and issue #930 on the in-memory fake GitHub,
 * Cloud Run through the real client on the local emulator), a comment, and what a person then sees: the replies, the
 * reactions on the comment, the diagnosis comment, the follow-ups and the issues' state. The command runner
 * (`runCommandJob`) runs exactly as the webhook runs it; only GitHub is the fake.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { Proposal } from "../../../src/domain/follow-up-plan/to-proposal.js";
import { readMarker } from "../../../src/domain/issue-state/markers.js";
import { scenarioConfigYaml, scenarioServices } from "../../../dev/scenario.js";
import { type FakeGitHub, refuse } from "../../../dev/fake-github.js";
import type { GitHubWorld } from "../../../dev/github-world.js";
import {
  addDiagnosis,
  addFollowUps,
  type CommentOutcome,
  comment,
  diagnosisOf,
  FULL,
  followUpsOf,
  recordedFollowUps,
  scenarioWorld,
  TEMPLATES,
} from "../../support/scenario-world.js";
import { useCloudRunEmulator } from "../../support/test-app.js";

const cloudRun = useCloudRunEmulator();

/** Sets the scenario's services, fixed (the secret set on staging) or not. */
function setServices(fixed: boolean) {
  for (const s of scenarioServices({ fixed }).services) cloudRun.emulator.setService(s);
}
beforeEach(() => setServices(false));

const MISSING = "missing:staging:netra-backend:JWT_SECRET_STAGING";
/** The scenario's drift notes (warnings): production lacks variables staging has. They stay across checks. */
const DRIFT = ["drift:staging>production:netra-backend", "drift:staging>production:auth-service"];
const FOLLOW_UP_NOTE = "\n\nConsolidate.\n\nA note a maintainer added.";
const planOf = (w: GitHubWorld) => readMarker<{ plan?: Proposal }>("diagnosis", diagnosisOf(w)?.body)?.plan;
const diagnosis = (w: GitHubWorld) => diagnosisOf(w)?.body ?? "";
const issue = (w: GitHubWorld, n = 930) => w.issue(FULL, n)!;
const stateOf = (w: GitHubWorld, n = 930) => `${issue(w, n).state}/${issue(w, n).state_reason}`;

/** One row: a world, a comment on it, and what a person then sees. */
interface Row {
  /** Sets the world up; `run` writes an earlier comment (e.g. `/triage plan`). */
  given?: (w: GitHubWorld, run: (body: string, author?: string) => Promise<CommentOutcome>) => unknown;
  /** The comment; `PLAN` in it stands for the id of the plan the row's `given` showed. */
  comment: string | (() => string);
  author?: string;
  /** The issue commented on (#930 by default). */
  on?: number;
  /** GitHub's answers the world does not model. */
  answers?: Partial<FakeGitHub>;
  /** The config the repository has (the scenario's by default; null: none). */
  config?: string | null;
  /** Fields of the webhook's issue (a pull request). */
  issue?: Record<string, unknown>;
  sees: (r: CommentOutcome, w: GitHubWorld) => void;
}

async function runRow(row: Row): Promise<void> {
  const world = scenarioWorld(row.config === undefined ? scenarioConfigYaml : row.config);
  const run = (body: string, author = "writer") => comment(world, cloudRun.clients, body, { author });
  await row.given?.(world, run);
  const body = typeof row.comment === "string" ? row.comment.replace("PLAN", planOf(world)?.id ?? "") : row.comment();
  const outcome = await comment(world, cloudRun.clients, body, {
    author: row.author,
    on: row.on,
    answers: row.answers,
    issue: row.issue as never,
  });
  row.sees(outcome, world);
  // Nothing the app sent was a request GitHub refuses.
  expect(world.violations).toEqual([]);
}

const table = (rows: Record<string, Row>) => Object.entries(rows);

/** Follow-ups #931-#934 and the diagnosis that recorded them, its follow-up list in `text`. */
function triaged(w: GitHubWorld, extra: Parameters<typeof addFollowUps>[1] = {}, state: object = {}) {
  const issues = addFollowUps(w, extra);
  const list = issues.map((i, k) => `- [ ] #${i.number} ${TEMPLATES[k]} — open`).join("\n");
  const text = `Maintainer-visible diagnosis\n\n#### Follow-up issues\n${list}\n\nThis issue stays open.`;
  addDiagnosis(w, { followUps: recordedFollowUps(issues), ...state }, text);
  return issues;
}

describe("/triage help and the command runner", () => {
  it.each(
    table({
      "help answers anyone with the table of commands, without asking for their role": {
        comment: "Hi!\n/triage help",
        author: "passer-by",
        // Asking would fail the command: help must not ask.
        answers: { permissionOf: refuse(500) },
        sees: (r) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(r.replies).toHaveLength(1);
          expect(r.replies[0]).toContain("| `/triage apply [plan-id]` |");
          expect(r.replies[0]).toContain(
            "| `/triage help` | Lists the commands, what each does and who may use it. | anyone |",
          );
          expect(r.replies[0]).toContain("`write` role or higher");
        },
      },
      "help shows the roles the config sets": {
        config: `${scenarioConfigYaml}roles:\n  apply: maintain\n`,
        comment: "/TRIAGE   Help",
        sees: (r) =>
          expect(r.replies[0]).toMatch(/\| `\/triage apply \[plan-id\]` \| .* \| `maintain` role or higher \|/),
      },
      "an unknown command gets 😕, quoted, with a did-you-mean": {
        comment: "/triage aply",
        sees: (r) => {
          expect(r.reactions).toEqual(["eyes", "confused"]);
          expect(r.replies).toEqual(["> /triage aply\n\n😕 unknown command `aply`: did you mean `/triage apply`?"]);
        },
      },
      "a pull request is ignored unless the config turns them on": {
        comment: "/triage help",
        issue: { pull_request: { url: "https://api.github.com/repos/x/y/pulls/930" } },
        sees: (r) => expect([r.replies, r.reactions]).toEqual([[], []]),
      },
      "a pull request is served when `pull_requests: true`": {
        config: `${scenarioConfigYaml}pull_requests: true\n`,
        comment: "/triage help",
        issue: { pull_request: { url: "https://api.github.com/repos/x/y/pulls/930" } },
        sees: (r) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(r.replies[0]).toContain("config-triage commands");
        },
      },
      "an invalid config refuses every command but help, naming the file and line": {
        config: scenarioConfigYaml.replace("on_pass", "on_pas").concat("mode: reveiw\n"),
        comment: "/triage recheck",
        sees: (r) => {
          expect(r.reactions).toEqual(["eyes", "confused"]);
          expect(r.replies[0]).toContain("> /triage recheck\n\n😕 config error: `.github/config-triage.yml`, line");
          expect(r.replies[0]).toContain("`mode` must be one of `auto`, `review`");
        },
      },
      "a missing config refuses every command but help": {
        config: null,
        comment: "/triage close\n/triage help",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("config-triage commands");
          expect(r.replies[1]).toBe(
            "> /triage close\n\n😕 config error: `.github/config-triage.yml` does not exist; " +
              "add it on the default branch",
          );
          expect(stateOf(w)).toBe("open/null");
        },
      },
      "several commands of one comment run in order, and only the failed one is reported": {
        comment: "/triage close\n/triage reopen\n/triage nope",
        sees: (r, w) => {
          expect(stateOf(w)).toBe("open/reopened");
          expect(issue(w).closed_by).toBeNull();
          expect(r.replies).toHaveLength(2);
          expect(r.replies[0]).toContain("Closed as completed by `writer`");
          expect(r.replies[1]).toContain("> /triage nope");
          expect(r.replies[1]).not.toContain("reopen");
        },
      },
      "an error of GitHub while running a command gets 😕 and an internal-error note, and is logged": {
        comment: "/triage close",
        answers: { closeIssue: refuse(502, "Bad Gateway") },
        sees: (r, w) => {
          expect(r.replies).toEqual(["> /triage close\n\n😕 an internal error occurred; it has been logged"]);
          expect(r.log).toContainEqual(
            expect.objectContaining({ msg: "command failed", obj: expect.objectContaining({ status: 502 }) }),
          );
          expect(stateOf(w)).toBe("open/null");
        },
      },
      "a reaction GitHub refuses does not stop the commands": {
        comment: "/triage help",
        answers: { react: refuse(403, "Resource not accessible by integration") },
        sees: (r) => {
          expect(r.reactions).toEqual([]);
          expect(r.replies[0]).toContain("config-triage commands");
          expect(r.log.filter((l) => l.msg === "could not react to a command")).toHaveLength(2);
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});

describe("/triage close and /triage reopen", () => {
  it.each(
    table({
      "close closes the parent as completed with a summary comment": {
        comment: "/triage close",
        sees: (r, w) => {
          expect(stateOf(w)).toBe("closed/completed");
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(r.replies[0]).toContain("Closed as completed by `writer` with `/triage close`");
        },
      },
      "reopen reopens a closed parent": {
        given: (w) => w.setIssueState(issue(w), "closed", "completed", w.bot),
        comment: "/triage reopen",
        sees: (r, w) => {
          expect(stateOf(w)).toBe("open/reopened");
          expect(r.replies).toEqual([]);
        },
      },
      "reopen undoes an automatic close: the parent and the fix follow-up the app closed, not one a person closed": {
        given: (w) => {
          const closed = { state: "closed" as const, state_reason: "completed" };
          const made = addFollowUps(w, { "immediate-fix": closed, "ssot-consolidation": closed });
          addDiagnosis(w, { followUps: recordedFollowUps(made), autoClosed: [made[0].number] });
          w.setIssueState(issue(w), "closed", "completed", w.bot);
        },
        comment: "/triage reopen",
        sees: (r, w) => {
          expect(stateOf(w)).toBe("open/reopened");
          expect(stateOf(w, 931)).toBe("open/reopened");
          expect(stateOf(w, 932)).toBe("closed/completed");
          expect(r.replies).toEqual([
            "Reopened by `writer` with `/triage reopen`, with #931, which config-triage had closed as fixed.",
          ]);
        },
      },
      "close is refused below write": {
        comment: "/triage close",
        author: "triager",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("`/triage close` needs the `write` role or higher; `triager` has `triage`");
          expect(stateOf(w)).toBe("open/null");
        },
      },
      "reopen is refused to a reader, told once per issue why": {
        given: (w) => w.setIssueState(issue(w), "closed", "completed", w.bot),
        comment: "/triage reopen",
        author: "reader",
        sees: (r, w) => {
          expect(r.replies[0]).toMatch(/^<!-- config-triage:notice \{"notice":"command-role","user":"reader"\} -->\n/);
          expect(r.replies[0]).toContain("`/triage reopen` needs the `write` role or higher; `reader` has `read`");
          expect(stateOf(w)).toBe("closed/completed");
        },
      },
      "a configured minimum role replaces the default (close needs maintain here)": {
        config: `${scenarioConfigYaml}roles:\n  close: maintain\n`,
        comment: "/triage close",
        sees: (r) =>
          expect(r.replies[0]).toContain("`/triage close` needs the `maintain` role or higher; `writer` has `write`"),
      },
    }),
  )("%s", (_name, row) => runRow(row));
});

describe("/triage approve and /triage reject", () => {
  it.each(
    table({
      "approve takes the review label off and shows it approved on the parent, rewriting only that list": {
        given: (w) => triaged(w),
        on: 932,
        comment: "/triage approve",
        sees: (r, w) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(issue(w, 932).labels).toEqual(["config-triage"]);
          expect(diagnosis(w)).toContain("- [ ] #932 ssot-consolidation — approved");
          expect(diagnosis(w)).toContain("- [ ] #931 immediate-fix — open");
          expect(diagnosis(w)).toContain("Maintainer-visible diagnosis");
          expect(readMarker("diagnosis", diagnosis(w))).toMatchObject({
            reviews: { "ssot-consolidation": "approved" },
          });
        },
      },
      "approve is refused on the triaged issue itself": {
        given: (w) => triaged(w),
        comment: "/triage approve",
        sees: (r) =>
          expect(r.replies[0]).toContain("`/triage approve` works only on a follow-up issue that config-triage opened"),
      },
      "reject is refused on an issue where a person pasted a follow-up marker": {
        given: (w) =>
          w.addIssue(FULL, {
            number: 940,
            title: "looks like a follow-up",
            body: '<!-- config-triage:follow-up {"parent":930,"template":"ssot-consolidation"} -->',
            user: { login: "mallory", type: "User" },
          }),
        on: 940,
        comment: "/triage reject",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("`/triage reject` works only on a follow-up issue that config-triage opened");
          expect(stateOf(w, 940)).toBe("open/null");
        },
      },
      "a parent command is refused on a follow-up": {
        given: (w) => triaged(w),
        on: 932,
        comment: "/triage apply",
        sees: (r) =>
          expect(r.replies[0]).toContain(
            "`/triage apply` works on the triaged issue, not on a follow-up: use it on #930",
          ),
      },
      "reject closes the follow-up as not planned with the reason, marked in its marker and on the parent": {
        given: (w) => {
          triaged(w);
          issue(w, 932).body += FOLLOW_UP_NOTE;
        },
        on: 932,
        author: "lead",
        comment: "/triage reject we already have @platform/ssot tracking this",
        sees: (r, w) => {
          expect(stateOf(w, 932)).toBe("closed/not_planned");
          expect(issue(w, 932).body).toBe(
            '<!-- config-triage:follow-up {"parent":930,"template":"ssot-consolidation","rejected":true} -->\n' +
              `Follow-up of #930${FOLLOW_UP_NOTE}`,
          );
          // Closed now, so ticked: the parent's list is rendered from the follow-ups as GitHub holds them.
          expect(diagnosis(w)).toContain("- [x] #932 ssot-consolidation — rejected");
          expect(readMarker("diagnosis", diagnosis(w))).toMatchObject({
            reviews: { "ssot-consolidation": "rejected" },
          });
          expect(r.replies[0]).toContain("closed as not planned");
          expect(r.replies[0]).toContain("> we already have @&#8203;platform/ssot tracking this");
        },
      },
      "reject is refused to a triage user (it needs write)": {
        given: (w) => triaged(w),
        on: 932,
        author: "triager",
        comment: "/triage reject",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("`/triage reject` needs the `write` role or higher");
          expect(stateOf(w, 932)).toBe("open/null");
        },
      },
      "a rejected follow-up cannot be approved later": {
        given: (w) => triaged(w, { "ssot-consolidation": { state: "closed", state_reason: "not_planned" } }),
        on: 932,
        comment: "/triage approve",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("this follow-up was rejected");
          expect(issue(w, 932).labels).toContain("needs-review");
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});

describe("/triage plan", () => {
  it.each(
    table({
      "shows what apply would create (titles, labels, assignees, structure) with a plan id, and creates nothing": {
        comment: "/triage plan",
        author: "triager",
        sees: (r, w) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          const plan = planOf(w)!;
          expect(plan.id).toMatch(/^[0-9a-f]{7}$/);
          expect(diagnosis(w)).toContain(`#### Plan \`${plan.id}\`\n\`/triage apply ${plan.id}\` would create:`);
          expect(diagnosis(w)).toContain(
            "| `immediate-fix` | Fix configuration: JWT_SECRET_STAGING missing on staging | — | — | `Bug` | " +
              "`priority:critical`, `config-triage`, `needs-review` | — |",
          );
          // The documentation waits for the consolidation; milestones and types as the templates ask (issue 16).
          expect(diagnosis(w)).toMatch(
            new RegExp(
              "^\\| `flow-documentation` \\| Document the configuration flow of .* \\| `ssot-consolidation` " +
                "\\| `Sprint 48` \\| `Task` \\| ",
              "m",
            ),
          );
          expect(diagnosis(w)).toMatch(/^\| `health-monitoring` \| .* \| — \| `Sprint 49` \| `Task` \| /m);
          expect(plan.items.map((i) => `${i.template}:${i.action}`)).toEqual(TEMPLATES.map((t) => `${t}:create`));
          expect(w.issues(FULL).map((i) => i.number)).toEqual([930]);
        },
      },
      "lists the follow-ups that exist already, with their state, and does not plan them again": {
        given: (w) =>
          addFollowUps(w, { "health-monitoring": { number: 934, state: "closed", state_reason: "not_planned" } }, [
            "immediate-fix",
            "health-monitoring",
          ]),
        comment: "/triage plan",
        author: "triager",
        sees: (_r, w) => {
          const plan = planOf(w)!;
          expect(plan.items.filter((i) => i.action === "create").map((i) => i.template)).toEqual([
            "ssot-consolidation",
            "flow-documentation",
          ]);
          expect(diagnosis(w)).toContain("- `immediate-fix`: #931\n- `health-monitoring`: #934 (rejected)");
          expect(diagnosis(w)).toContain("#931 immediate-fix — open");
          expect(diagnosis(w)).toContain("#934 health-monitoring — rejected");
        },
      },
      "is refused to a reader": {
        comment: "/triage plan",
        author: "reader",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("needs the `triage` role or higher");
          expect(diagnosisOf(w)).toBeUndefined();
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});

/** Runs `/triage plan` as a triage user and returns the plan shown. */
async function showPlan(w: GitHubWorld, run: (body: string, author?: string) => Promise<CommentOutcome>) {
  await run("/triage plan", "triager");
  return planOf(w)!;
}

describe("/triage apply", () => {
  let shown: Proposal;
  it.each(
    table({
      "creates exactly what the plan shown lists, each with the review label and its structure, and clears the plan": {
        given: async (w, run) => {
          addFollowUps(w, {}, ["immediate-fix"]);
          shown = await showPlan(w, run);
        },
        comment: "/triage apply PLAN",
        sees: (r, w) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          const created = followUpsOf(w).slice(1);
          expect(created.map((c) => c.title)).toEqual(
            shown.items.filter((i) => i.action === "create").map((i) => i.title),
          );
          for (const c of created) expect(c.labels).toContain("needs-review");
          expect(created.map((c) => [c.number, c.milestone, c.type, c.blockedBy])).toEqual([
            [932, "Sprint 48", "Task", []],
            [933, "Sprint 48", "Task", [932]],
            [934, "Sprint 49", "Task", []],
          ]);
          expect(planOf(w)).toBeUndefined();
          expect(diagnosis(w)).toMatch(/#933 .* — open · blocked by #932 · milestone `Sprint 48` · type `Task`/);
        },
      },
      "refuses a reader and writes nothing but the reply": {
        comment: "/triage apply",
        author: "reader",
        sees: (r, w) => {
          expect(r.replies).toEqual([
            '<!-- config-triage:notice {"notice":"command-role","user":"reader"} -->\n> /triage apply\n\n' +
              "😕 `/triage apply` needs the `write` role or higher; `reader` has `read` on this repository",
          ]);
          expect(w.issues(FULL).map((i) => i.number)).toEqual([930]);
        },
      },
      "refuses a triage user (apply needs write)": {
        comment: "/triage apply",
        author: "triager",
        sees: (r) => expect(r.replies[0]).toContain("`triager` has `triage`"),
      },
      "refuses a stale plan when the live state changed, shows the new plan and says what changed": {
        given: async (w, run) => {
          shown = await showPlan(w, run);
          setServices(true);
        },
        comment: "/triage apply PLAN",
        sees: (r, w) => {
          const fresh = planOf(w)!;
          expect(fresh.id).not.toBe(shown.id);
          expect(fresh.items.map((i) => i.template)).not.toContain("immediate-fix");
          expect(r.replies[0]).toContain(
            `😕 the plan is out of date (the live check no longer finds \`${MISSING}\`; ` +
              "follow-up `immediate-fix` is no longer planned)",
          );
          expect(r.replies[0]).toContain(`comment \`/triage apply ${fresh.id}\``);
          expect(followUpsOf(w)).toEqual([]);
        },
      },
      "refuses a stale plan when a milestone it showed changed, and says which": {
        given: async (w, run) => {
          await showPlan(w, run);
          // Sprint 48 was closed since: `next` is now Sprint 49, and `next+1` matches none.
          w.repo(FULL)!.milestones.find((m) => m.title === "Sprint 48")!.state = "closed";
        },
        comment: "/triage apply",
        sees: (r, w) => {
          expect(r.replies[0]).toContain(
            "follow-up `ssot-consolidation` changed (milestone: `Sprint 48` → `Sprint 49`)",
          );
          expect(r.replies[0]).toContain("follow-up `health-monitoring` changed (milestone: `Sprint 49` → none)");
          // The fresh plan shown says why the monitoring has no milestone now.
          expect(diagnosis(w)).toMatch(
            new RegExp(
              "- `health-monitoring`: no milestone: only 1 open milestone is due after \\d{4}-\\d\\d-\\d\\d " +
                "\\(`next\\+1` needs 2\\); it opens without\\.",
            ),
          );
        },
      },
      "refuses when the config changed since the plan": {
        given: async (w, run) => {
          await showPlan(w, run);
          w.setFile(FULL, ".github/config-triage.yml", `${scenarioConfigYaml}review_label: triage-review\n`);
        },
        comment: "/triage apply",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("`.github/config-triage.yml` changed");
          expect(r.replies[0]).toContain("follow-up `immediate-fix` changed (labels)");
          expect(followUpsOf(w)).toEqual([]);
        },
      },
      "refuses a plan id that is not the plan shown last": {
        given: async (w, run) => {
          shown = await showPlan(w, run);
        },
        comment: "/triage apply 0000000",
        sees: (r) => expect(r.replies[0]).toContain(`plan \`0000000\` is not the plan shown last (\`${shown.id}\`)`),
      },
      "refuses a malformed plan id": {
        comment: "/triage apply latest",
        sees: (r, w) => {
          expect(r.replies[0]).toContain("`latest` is not a plan id");
          expect(diagnosisOf(w)).toBeUndefined();
        },
      },
      "never re-creates a rejected follow-up": {
        given: async (w, run) => {
          const rejected = { state: "closed" as const, state_reason: "not_planned", rejected: true };
          addFollowUps(w, { "immediate-fix": rejected }, ["immediate-fix"]);
          await showPlan(w, run);
        },
        comment: "/triage apply",
        sees: (_r, w) => {
          const created = followUpsOf(w).slice(1);
          expect(created).toHaveLength(3);
          expect(created.map((c) => c.title)).not.toContainEqual(expect.stringContaining("Fix configuration"));
        },
      },
      "ignores a plan in a marker a person pasted: no plan was shown, so it refuses and shows a real one": {
        given: async (w, run) => {
          shown = await showPlan(w, run);
          // The app's comment is gone; a person pasted its text in one of their own.
          const own = diagnosisOf(w)!;
          issue(w).comments = issue(w).comments.filter((c) => c !== own);
          w.addComment(FULL, 930, { body: own.body, user: { login: "mallory", type: "User" } });
        },
        comment: () => `/triage apply ${shown.id}`,
        sees: (r, w) => {
          expect(r.replies[0]).toContain("no plan has been shown on this issue yet");
          expect(planOf(w)!.id).toBe(shown.id);
          expect(followUpsOf(w)).toEqual([]);
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});

describe("/triage recheck", () => {
  const customRole = (permissions?: object) => async () => ({
    permission: "read",
    role_name: permissions ? "oncall" : "deployer",
    ...(permissions ? { user: { permissions } } : {}),
  });
  it.each(
    table({
      "re-runs the check for a triage user and updates the diagnosis in place, saying nothing changed": {
        given: (w) => triaged(w, {}, { problems: [MISSING, ...DRIFT] }),
        comment: "/triage recheck",
        author: "triager",
        sees: (r, w) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(issue(w).comments.filter((c) => c.body.includes("config-triage:diagnosis"))).toHaveLength(1);
          expect(diagnosis(w)).toContain("#### Changed since the last check\nNothing changed since the last check.");
          expect(diagnosis(w)).toContain("- [ ] #931 immediate-fix — open");
          expect(readMarker("diagnosis", diagnosis(w))).toMatchObject({ problems: [MISSING, ...DRIFT] });
        },
      },
      "after an upgrade, does not call drift notes new when the old state (version 1) never recorded drift": {
        // Written by the first release: `v: 1`, no `kinds`, and no drift keys, because it did not look for drift.
        given: (w) => triaged(w, {}, { v: 1, problems: [MISSING] }),
        comment: "/triage recheck",
        author: "triager",
        sees: (_r, w) => {
          expect(diagnosis(w)).toContain("#### Changed since the last check\nNothing changed since the last check.");
          expect(diagnosis(w)).not.toContain("❌ new");
          // The new state says what it recorded, so the next check does call new drift new.
          expect(readMarker("diagnosis", diagnosis(w))).toMatchObject({
            v: 2,
            problems: [MISSING, ...DRIFT],
            kinds: expect.arrayContaining(["missing", "drift"]),
          });
        },
      },
      "calls drift new when the previous state recorded drift and had none": {
        given: (w) => triaged(w, {}, { v: 2, kinds: ["missing", "drift"], problems: [MISSING] }),
        comment: "/triage recheck",
        author: "triager",
        sees: (_r, w) =>
          expect(diagnosis(w)).toMatch(/- ❌ new: production \/ netra-backend lacks .*, which staging has/),
      },
      "shows what was resolved, closes the parent when every check passes, and keeps a person's text": {
        given: (w) => {
          triaged(w, {}, { problems: [MISSING, ...DRIFT] });
          const own = diagnosisOf(w)!;
          own.body = `Maintainer note: see the incident doc.\n\n${own.body}\n\nP.S. kept`;
          setServices(true);
        },
        comment: "/triage recheck",
        author: "lead",
        sees: (_r, w) => {
          expect(diagnosis(w)).toContain(`- ✅ resolved: \`${MISSING}\``);
          expect(diagnosis(w)).toContain("config-triage closed this issue as completed");
          expect(
            diagnosis(w).startsWith("Maintainer note: see the incident doc.\n\n<!-- config-triage:diagnosis "),
          ).toBe(true);
          expect(diagnosis(w).endsWith("<!-- config-triage:end -->\n\nP.S. kept")).toBe(true);
          expect(stateOf(w)).toBe("closed/completed");
          // The fix follow-up closes with it, saying why in one line; the long-term ones stay open.
          expect(stateOf(w, 931)).toBe("closed/completed");
          expect(issue(w, 931).comments.map((c) => c.body)).toEqual([
            expect.stringMatching(/^✅ Fixed: every check passes in the live check of .* UTC, so config-triage closed/),
          ]);
          expect(stateOf(w, 932)).toBe("open/null");
          expect(diagnosis(w)).toContain("closed this issue as completed, and its fix #931 with it");
        },
      },
      "ignores a diagnosis marker a person pasted: the run treats the issue as never checked": {
        given: (w) => {
          const issues = addFollowUps(w);
          // The documentation already waits for the consolidation on GitHub: the link is found, not sent again.
          issues[2].blocked_by = [issues[1].id];
          addDiagnosis(w, { problems: ["made-up"] }, undefined, { by: "mallory" });
        },
        comment: "/triage recheck",
        author: "triager",
        sees: (_r, w) => {
          expect(diagnosis(w)).toContain("This is the first check.");
          expect(followUpsOf(w).map((f) => f.blockedBy)).toEqual([[], [], [932], []]);
        },
      },
      "refuses a reader": {
        comment: "/triage recheck",
        author: "reader",
        sees: (r) =>
          expect(r.replies[0]).toContain(
            "> /triage recheck\n\n😕 `/triage recheck` needs the `triage` role or higher; " +
              "`reader` has `read` on this repository",
          ),
      },
      "refuses a non-collaborator (GitHub answers 404)": {
        comment: "/triage recheck",
        answers: { permissionOf: refuse(404, "Not Found") },
        sees: (r) => {
          expect(r.replies[0]).toMatch(/^<!-- config-triage:notice /);
          expect(r.replies[0]).toContain("`writer` has no role on this repository");
        },
      },
      "refuses a custom role GitHub gives no base permissions for (fail closed)": {
        comment: "/triage recheck",
        answers: { permissionOf: customRole() },
        sees: (r) =>
          expect(r.replies[0]).toContain(
            "could not determine the role of `writer` (GitHub reports the custom role `deployer` without its base " +
              "permissions, so its rank is unknown), so the command was refused",
          ),
      },
      "refuses on an error of the permission API (fail closed)": {
        comment: "/triage recheck",
        answers: { permissionOf: refuse(500, "Server Error") },
        sees: (r, w) => {
          expect(r.replies[0]).toContain(
            "could not determine the role of `writer` (GitHub's permission API answered 500), " +
              "so the command was refused",
          );
          expect(diagnosisOf(w)).toBeUndefined();
        },
      },
      "lets a custom role through on its base permissions": {
        given: (w) => triaged(w, {}, { problems: [MISSING] }),
        comment: "/triage recheck",
        answers: { permissionOf: customRole({ pull: true, triage: true, push: false }) },
        sees: (r, w) => {
          expect(r.reactions).toEqual(["eyes", "rocket"]);
          expect(diagnosis(w)).toContain("#### Changed since the last check");
        },
      },
    }),
  )("%s", (_name, row) => runRow(row));
});
