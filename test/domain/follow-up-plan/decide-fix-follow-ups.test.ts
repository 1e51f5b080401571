import type { Diagnosis, Problem } from "../../../src/domain/diagnosis/evaluate.js";
import {
  decideFixFollowUps,
  fixRecords,
  fixStatus,
  tickChecklist,
  type FixCandidate,
} from "../../../src/domain/follow-up-plan/decide-fix-follow-ups.js";

const target = (environment: string, service: string) => ({
  environment,
  project: `netra-${environment}`,
  region: "us-central1",
  service,
});

const missing = (variable: string, environment = "staging", service = "netra-backend"): Problem => ({
  severity: "fail",
  what: `\`${variable}\` is missing on ${environment} / ${service}`,
  target: target(environment, service),
  why: "the services sign tokens with it",
  key: `missing:${environment}:${service}:${variable}`,
});

const cannot = (environment: string, service: string): Problem => ({
  severity: "cannot-check",
  what: `${environment} / ${service} could not be checked`,
  target: target(environment, service),
  why: "PERMISSION_DENIED",
  key: `cannot:${environment}:${service}:PERMISSION_DENIED`,
});

const AT = "2026-11-29T19:40:12.000Z";
const diagnosisOf = (problems: Problem[]): Pick<Diagnosis, "problems" | "verdict" | "fetchedAt"> => ({
  problems,
  verdict: problems.some((p) => p.severity === "fail")
    ? "fail"
    : problems.some((p) => p.severity === "cannot-check")
      ? "incomplete"
      : "pass",
  fetchedAt: AT,
});

const JWT = missing("JWT_SECRET_STAGING");
const API_KEY = missing("API_KEY", "staging", "auth-service");
const checklist = (problems: Problem[], ticked: Problem[] = []) =>
  `**Immediate fix**\n\n${problems.map((p) => item(p, ticked.includes(p))).join("\n")}\n\n` +
  "## Success criteria\n- [ ] The commands above have been run.\n";
/** A checklist line of the template, with its fix command. */
function item(p: Problem, ticked: boolean): string {
  return `- [${ticked ? "x" : " "}] ${p.what} (project \`x\`)\n  \`\`\`sh\n  gcloud ...\n  \`\`\``;
}

const fix = (problems: Problem[], extra: Partial<FixCandidate> = {}): FixCandidate => ({
  template: "immediate-fix",
  number: 931,
  state: "open",
  body: checklist(problems),
  fixes: fixRecords(problems),
  ...extra,
});

const decide = (followUps: FixCandidate[], now: Problem[], o: { rejected?: string[] } = {}) =>
  decideFixFollowUps({
    followUps,
    closesWhenFixed: (t) => t === "immediate-fix",
    rejected: (t) => (o.rejected ?? []).includes(t),
    diagnosis: diagnosisOf(now),
    parent: 930,
  });

describe("decideFixFollowUps", () => {
  it.each<{ name: string; followUps: FixCandidate[]; now: Problem[]; rejected?: string[]; expected: unknown[] }>([
    {
      name: "every problem it was opened for passes: closed, its checklist ticked, with a comment naming what passed",
      followUps: [fix([JWT])],
      now: [],
      expected: [
        {
          kind: "close",
          number: 931,
          template: "immediate-fix",
          body: checklist([JWT], [JWT]),
          comment:
            "✅ Fixed: JWT_SECRET_STAGING missing on staging passes in the live check of 2026-11-29 19:40 UTC, so " +
            "config-triage closed this issue as completed; `/triage reopen` on #930 reopens it.",
        },
      ],
    },
    {
      name: "another problem fails elsewhere: this follow-up's own problem passes, so it still closes",
      followUps: [fix([JWT])],
      now: [missing("REDIS_URL", "production")],
      expected: [{ kind: "close", number: 931 }],
    },
    {
      name: "partly fixed: the line of what passes is ticked, the issue stays open",
      followUps: [fix([JWT, API_KEY])],
      now: [API_KEY],
      expected: [{ kind: "tick", number: 931, template: "immediate-fix", body: checklist([JWT, API_KEY], [JWT]) }],
    },
    {
      name: "partly fixed and already ticked: nothing new, nothing written",
      followUps: [fix([JWT, API_KEY], { body: checklist([JWT, API_KEY], [JWT]) })],
      now: [API_KEY],
      expected: [],
    },
    {
      name: "nothing fixed: nothing written",
      followUps: [fix([JWT])],
      now: [JWT],
      expected: [],
    },
    {
      name: "its service could not be checked: not called fixed",
      followUps: [fix([JWT])],
      now: [cannot("staging", "netra-backend")],
      expected: [],
    },
    {
      name: "several pass at once: named together",
      followUps: [fix([JWT, API_KEY])],
      now: [],
      expected: [
        {
          kind: "close",
          comment: expect.stringContaining(
            "JWT_SECRET_STAGING missing on staging, API_KEY missing on staging pass in the live check",
          ),
        },
      ],
    },
    {
      name: "opened before its problems were recorded: closes when every check passes",
      followUps: [fix([JWT], { fixes: undefined })],
      now: [],
      expected: [{ kind: "close", comment: expect.stringMatching(/^✅ Fixed: every check passes in the live check/) }],
    },
    {
      name: "opened before its problems were recorded, checks still failing: left alone",
      followUps: [fix([JWT], { fixes: undefined })],
      now: [API_KEY],
      expected: [],
    },
    {
      name: "long-term follow-ups stay open (they are work for people)",
      followUps: [fix([JWT], { template: "ssot-consolidation", number: 932 })],
      now: [],
      expected: [],
    },
    {
      name: "a closed fix follow-up is not closed again",
      followUps: [fix([JWT], { state: "closed" })],
      now: [],
      expected: [],
    },
    {
      name: "a rejected fix follow-up is left alone",
      followUps: [fix([JWT])],
      now: [],
      rejected: ["immediate-fix"],
      expected: [],
    },
    {
      name: "a follow-up whose body was not read is left alone",
      followUps: [fix([JWT], { body: undefined })],
      now: [],
      expected: [],
    },
  ])("$name", ({ followUps, now, rejected, expected }) => {
    const actions = decide(followUps, now, { rejected });
    expect(actions).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(actions[i]).toMatchObject(e as object);
  });

  it("the closing comment is one line", () => {
    const [action] = decide([fix([JWT, API_KEY])], []);
    expect(action.kind === "close" && action.comment.split("\n")).toHaveLength(1);
  });
});

describe("fixStatus", () => {
  it.each([
    ["still failing", [JWT], "fails"],
    ["gone", [], "passes"],
    ["gone, another service unchecked", [cannot("production", "netra-backend")], "passes"],
    ["its service unchecked", [cannot("staging", "netra-backend")], "unknown"],
  ] as const)("%s", (_name, now, expected) => {
    expect(fixStatus({ key: JWT.key }, diagnosisOf([...now]))).toBe(expected);
  });
});

describe("fixRecords", () => {
  it("records the failing problems only, with a subject and their what", () => {
    const warn: Problem = { ...missing("X"), severity: "warn", key: "drift:staging>production:netra-backend" };
    expect(fixRecords([JWT, warn])).toEqual([
      { key: JWT.key, subject: "JWT_SECRET_STAGING missing on staging", what: JWT.what },
    ]);
  });
});

describe("tickChecklist", () => {
  it("ticks only unticked lines that start with a given what, nothing else", () => {
    const body = "- [ ] `A` is missing (x)\n- [ ] `B` is missing\n  - [ ] `A` is missing nested\nText `A` is missing\n";
    expect(tickChecklist(body, ["`A` is missing"])).toBe(
      "- [x] `A` is missing (x)\n- [ ] `B` is missing\n  - [x] `A` is missing nested\nText `A` is missing\n",
    );
    expect(tickChecklist(body, [])).toBe(body);
  });
});
