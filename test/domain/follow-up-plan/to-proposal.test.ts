import {
  reviewState,
  staleProposalReasons,
  toProposal,
  type Proposal,
} from "../../../src/domain/follow-up-plan/to-proposal.js";
import type { NewFollowUp } from "../../../src/domain/follow-up-plan/follow-up-plan.js";
import { ConfigSchema } from "../../../src/domain/config/schema.js";
import type { Diagnosis } from "../../../src/domain/diagnosis/evaluate.js";

const config = ConfigSchema.parse({
  environments: { staging: { project: "p", region: "r", services: ["api"] } },
  follow_ups: ["immediate-fix", "health-monitoring"],
});
const diagnosis = (keys: string[]) => ({ problems: keys.map((key) => ({ key })) }) as unknown as Diagnosis;
const draft = (template: string, title = `Title of ${template}`, more: Partial<NewFollowUp> = {}): NewFollowUp => ({
  template,
  title,
  body: "b",
  labels: ["needs-review"],
  assignees: [],
  blockedBy: [],
  notes: [],
  ...more,
});
const existing = (template: string, number: number) => ({
  template,
  id: number + 9000,
  number,
  title: "edited by a person",
  state: "open" as const,
  linked: true,
});

const base = () =>
  toProposal({
    config,
    diagnosis: diagnosis(["missing:a"]),
    create: [draft("immediate-fix"), draft("health-monitoring")],
    existing: [],
    reviews: {},
  });

describe("toProposal", () => {
  it("gives the same 7-character id for the same inputs, in config order", () => {
    const a = base();
    const b = toProposal({
      config,
      diagnosis: diagnosis(["missing:a"]),
      create: [draft("health-monitoring"), draft("immediate-fix")],
      existing: [],
      reviews: {},
    });
    expect(a.id).toMatch(/^[0-9a-f]{7}$/);
    expect(b.id).toBe(a.id);
    expect(a.items.map((i) => i.template)).toEqual(["immediate-fix", "health-monitoring"]);
  });

  it("does not change when a person edits the title of an existing follow-up", () => {
    const make = (title: string) =>
      toProposal({
        config,
        diagnosis: diagnosis([]),
        create: [],
        existing: [{ ...existing("immediate-fix", 931), title }],
        reviews: {},
      });
    expect(make("one").id).toBe(make("two").id);
  });
});

describe("staleProposalReasons", () => {
  const shown = base();
  it.each<[string, Proposal | undefined, Proposal, string | undefined, string[]]>([
    ["the same plan", shown, base(), undefined, []],
    ["the same plan, by id", shown, base(), shown.id, []],
    ["no plan shown", undefined, base(), undefined, ["no plan has been shown on this issue yet"]],
    ["another id", shown, base(), "abcdef0", [`plan \`abcdef0\` is not the plan shown last (\`${shown.id}\`)`]],
    ["config changed", shown, { ...base(), config: "other" }, undefined, ["`.github/config-triage.yml` changed"]],
    [
      "a problem fixed and one new",
      shown,
      toProposal({
        config,
        diagnosis: diagnosis(["missing:b"]),
        create: [draft("immediate-fix"), draft("health-monitoring")],
        existing: [],
        reviews: {},
      }),
      undefined,
      ["the live check no longer finds `missing:a`", "the live check now finds `missing:b`"],
    ],
    [
      "a follow-up created since",
      shown,
      toProposal({
        config,
        diagnosis: diagnosis(["missing:a"]),
        create: [draft("health-monitoring")],
        existing: [existing("immediate-fix", 931)],
        reviews: {},
      }),
      undefined,
      ["follow-up `immediate-fix` is now #931"],
    ],
    [
      "a follow-up rejected since",
      shown,
      toProposal({
        config,
        diagnosis: diagnosis(["missing:a"]),
        create: [draft("health-monitoring")],
        existing: [existing("immediate-fix", 931)],
        reviews: { "immediate-fix": "rejected" },
      }),
      undefined,
      ["follow-up `immediate-fix` is now rejected"],
    ],
    [
      "a title changed",
      shown,
      toProposal({
        config,
        diagnosis: diagnosis(["missing:a"]),
        create: [draft("immediate-fix", "New"), draft("health-monitoring")],
        existing: [],
        reviews: {},
      }),
      undefined,
      ["follow-up `immediate-fix` changed (title)"],
    ],
    [
      "a follow-up no longer planned",
      shown,
      toProposal({
        config,
        diagnosis: diagnosis(["missing:a"]),
        create: [draft("health-monitoring")],
        existing: [],
        reviews: {},
      }),
      undefined,
      ["follow-up `immediate-fix` is no longer planned"],
    ],
  ])("%s", (_name, before, fresh, planId, reasons) => {
    expect(staleProposalReasons(before, fresh, planId)).toEqual(reasons);
  });
});

describe("reviewState", () => {
  it.each<[string, "open" | "closed", Record<string, "approved" | "rejected">, string]>([
    ["open, not reviewed", "open", {}, "open"],
    ["approved", "open", { t: "approved" }, "approved"],
    ["closed after approval is done", "closed", { t: "approved" }, "done"],
    ["closed", "closed", {}, "done"],
    ["rejected wins, even if reopened", "open", { t: "rejected" }, "rejected"],
  ])("%s", (_name, state, reviews, expected) => {
    expect(reviewState({ template: "t", state }, reviews)).toBe(expected);
  });
});
