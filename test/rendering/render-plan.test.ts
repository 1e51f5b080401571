import { renderChangesSection, renderProposalSection } from "../../src/rendering/render-plan.js";
import { PROBLEM_KINDS, type Problem } from "../../src/domain/diagnosis/evaluate.js";
import { recordedKinds } from "../../src/rendering/render-diagnosis.js";

const problem = (key: string, what: string) => ({ key, what }) as Problem;

describe("renderProposalSection", () => {
  it("renders what apply would create and what exists (snapshot)", () => {
    expect(
      renderProposalSection({
        id: "3f9c2ab",
        config: "c",
        problems: [],
        items: [
          {
            template: "immediate-fix",
            title: "Fix configuration: JWT_SECRET_STAGING on staging",
            labels: ["priority:critical", "needs-review"],
            assignees: ["oncall"],
            action: "create",
          },
          { template: "ssot-consolidation", title: "A | pipe", labels: [], assignees: [], action: "create" },
          { template: "flow-documentation", title: "x", labels: [], assignees: [], action: "exists", number: 933 },
          { template: "health-monitoring", title: "y", labels: [], assignees: [], action: "rejected", number: 934 },
        ],
      }),
    ).toMatchSnapshot();
  });

  it("says when there is nothing to create", () => {
    expect(renderProposalSection({ id: "0000000", config: "c", problems: [], items: [] })).toBe(
      "#### Plan `0000000`\nNothing to create: every planned follow-up exists.",
    );
  });
});

describe("renderChangesSection", () => {
  const DRIFT = problem("drift:staging>production:api", "production / api lacks `REDIS_URL`, which staging has");
  const MISSING = problem("missing:staging:api:JWT_SECRET_STAGING", "`JWT_SECRET_STAGING` is missing");
  it.each<[string, string[] | undefined, Problem[], string[] | undefined, string]>([
    ["first check", undefined, [], undefined, "#### Changed since the last check\nThis is the first check."],
    [
      "nothing changed",
      ["a:x"],
      [problem("a:x", "A")],
      undefined,
      "#### Changed since the last check\nNothing changed since the last check.",
    ],
    [
      "resolved and new",
      ["a:x"],
      [problem("b:x", "`B` is missing")],
      undefined,
      "#### Changed since the last check\n- ✅ resolved: `a:x`\n- ❌ new: `B` is missing",
    ],
    [
      "a state written before drift was recorded: drift is not new, a new missing variable is",
      [],
      [DRIFT, MISSING],
      recordedKinds({ v: 1 }),
      "#### Changed since the last check\n- ❌ new: `JWT_SECRET_STAGING` is missing",
    ],
    [
      "a state of this version: drift that appeared is new",
      [],
      [DRIFT],
      recordedKinds({ v: 2, kinds: [...PROBLEM_KINDS] }),
      "#### Changed since the last check\n- ❌ new: production / api lacks `REDIS_URL`, which staging has",
    ],
    [
      "a state that recorded drift before: nothing changed",
      [DRIFT.key],
      [DRIFT],
      recordedKinds({ v: 2, kinds: ["drift"] }),
      "#### Changed since the last check\nNothing changed since the last check.",
    ],
    [
      "a resolved problem of any kind is still listed",
      [DRIFT.key],
      [],
      recordedKinds({ v: 1 }),
      `#### Changed since the last check\n- ✅ resolved: \`${DRIFT.key}\``,
    ],
  ])("%s", (_name, previous, problems, kinds, expected) => {
    expect(renderChangesSection(previous, problems, kinds)).toBe(expected);
  });

  it("knows every kind of problem the diagnosis reports, and the first release's kinds for version-1 states", () => {
    expect(recordedKinds(undefined)).toBeUndefined();
    expect(recordedKinds({ v: 1 })).toEqual(["missing", "source", "cannot"]);
    expect(recordedKinds({ v: 2, kinds: ["missing"] })).toEqual(["missing"]);
    for (const kind of recordedKinds({ v: 1 })!) expect(PROBLEM_KINDS).toContain(kind);
  });
});
