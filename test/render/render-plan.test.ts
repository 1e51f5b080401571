import { renderChangesSection, renderPlanSection } from "../../src/render/render-plan.js";
import type { Problem } from "../../src/diagnosis/evaluate.js";

const problem = (key: string, what: string) => ({ key, what }) as Problem;

describe("renderPlanSection", () => {
  it("renders what apply would create and what exists (snapshot)", () => {
    expect(
      renderPlanSection({
        id: "3f9c2ab",
        config: "c",
        problems: [],
        items: [
          { template: "immediate-fix", title: "Fix configuration: JWT_SECRET_STAGING on staging", labels: ["priority:critical", "needs-review"], assignees: ["oncall"], action: "create" },
          { template: "ssot-consolidation", title: "A | pipe", labels: [], assignees: [], action: "create" },
          { template: "flow-documentation", title: "x", labels: [], assignees: [], action: "exists", number: 933 },
          { template: "health-monitoring", title: "y", labels: [], assignees: [], action: "rejected", number: 934 },
        ],
      }),
    ).toMatchSnapshot();
  });

  it("says when there is nothing to create", () => {
    expect(renderPlanSection({ id: "0000000", config: "c", problems: [], items: [] })).toBe("#### Plan `0000000`\nNothing to create: every planned follow-up exists.");
  });
});

describe("renderChangesSection", () => {
  it.each<[string, string[] | undefined, Problem[], string]>([
    ["first check", undefined, [], "#### Changed since the last check\nThis is the first check."],
    ["nothing changed", ["a"], [problem("a", "A")], "#### Changed since the last check\nNothing changed since the last check."],
    ["resolved and new", ["a"], [problem("b", "`B` is missing")], "#### Changed since the last check\n- ✅ resolved: `a`\n- ❌ new: `B` is missing"],
  ])("%s", (_name, previous, problems, expected) => {
    expect(renderChangesSection(previous, problems)).toBe(expected);
  });
});
