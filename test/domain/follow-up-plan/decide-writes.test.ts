/**
 * What a triage writes, decided from its plan before anything is written (pure): the review label on every follow-up,
 * `plan` mode opening none, `/triage apply` refusing a plan that is no longer current, `max_follow_ups`, closing the
 * parent and the watch.
 */
import { describe, expect, it } from "@jest/globals";
import { ConfigSchema } from "../../../src/domain/config/schema.js";
import type { Diagnosis } from "../../../src/domain/diagnosis/evaluate.js";
import { decideWrites, type WritesInput } from "../../../src/domain/follow-up-plan/decide-writes.js";
import { toProposal } from "../../../src/domain/follow-up-plan/to-proposal.js";
import type { NewFollowUp, FollowUpPlan } from "../../../src/domain/follow-up-plan/follow-up-plan.js";

const TEMPLATES = ["immediate-fix", "health-monitoring", "runbook"];
const configOf = (more: Record<string, unknown> = {}) =>
  ConfigSchema.parse({
    environments: { staging: { project: "p", region: "r", services: ["api"] } },
    follow_ups: TEMPLATES,
    ...more,
  });
const diagnosisOf = (verdict: Diagnosis["verdict"]) =>
  ({ verdict, problems: verdict === "fail" ? [{ key: "missing:a" }] : [] }) as unknown as Diagnosis;
const draft = (template: string, labels = ["config"]): NewFollowUp => ({
  template,
  title: `Title of ${template}`,
  body: "b",
  labels,
  assignees: [],
  blockedBy: [],
  notes: [],
});
const planOf = (templates: string[], close = false): FollowUpPlan => ({
  create: templates.map((t) => draft(t)),
  link: [],
  existing: [],
  links: [],
  close,
  outcome: close ? "closed" : "open",
});

function input(more: Partial<WritesInput> & { config?: ReturnType<typeof configOf> } = {}): WritesInput {
  return {
    config: configOf(),
    diagnosis: diagnosisOf("fail"),
    plan: planOf(TEMPLATES),
    existing: [],
    reviews: {},
    options: {},
    ...more,
  };
}

const written = (i: WritesInput) => {
  const d = decideWrites(i);
  if (d.kind !== "write") throw new Error(`expected writes, got ${d.kind}`);
  return d;
};

describe("decideWrites", () => {
  it.each([
    ["auto mode opens every follow-up", {}, {}, TEMPLATES, false],
    ["review mode opens none and shows the plan", { mode: "review" }, {}, [], true],
    ["`followUps: plan` overrides auto mode", {}, { followUps: "plan" as const }, [], true],
    [
      "`followUps: create` overrides review mode",
      { mode: "review" },
      { followUps: "create" as const },
      TEMPLATES,
      false,
    ],
    ["max_follow_ups caps what one run opens", { max_follow_ups: 2 }, {}, TEMPLATES.slice(0, 2), false],
    ["the cap does not apply to a plan that opens none", { mode: "review", max_follow_ups: 1 }, {}, [], true],
  ])("%s", (_, config, options, opened, shows) => {
    const d = written(input({ config: configOf(config), options }));
    expect(d.plan.create.map((c) => c.template)).toEqual(opened);
    expect(d.shown).toEqual(shows ? d.fresh : undefined);
  });

  it("labels every follow-up for review once, keeping the template's labels, and leaves the input plan alone", () => {
    const plan = planOf([]);
    plan.create = [draft("immediate-fix", ["config", "triage-review"]), draft("runbook")];
    const d = written(input({ config: configOf({ review_label: "triage-review" }), plan }));
    expect(d.plan.create.map((c) => c.labels)).toEqual([
      ["config", "triage-review"],
      ["config", "triage-review"],
    ]);
    expect(plan.create[1].labels).toEqual(["config"]);
  });

  it("says how many follow-ups the cap left out", () => {
    expect(written(input({ config: configOf({ max_follow_ups: 2 }) })).capped).toEqual({ wanted: 3, limit: 2 });
    expect(written(input()).capped).toBeUndefined();
  });

  it("gives the plan id of every follow-up the run would open, whatever the mode or the cap", () => {
    const all = written(input()).fresh.items;
    expect(all.map((i) => i.template)).toEqual(TEMPLATES);
    expect(written(input({ config: configOf({ mode: "review", max_follow_ups: 1 }) })).fresh.items).toEqual(all);
  });

  it.each([
    ["the plan closes and the run may close", true, undefined, "open", true, true],
    ["`mayClose: false` keeps it open", true, false, "open", false, false],
    ["a plan that does not close", false, undefined, "open", false, false],
    ["a parent closed before is closed, not closed again", false, undefined, "closed", false, true],
  ])("%s", (_, planCloses, mayClose, parentState, close, closed) => {
    const d = written(input({ plan: planOf([], planCloses), parentState, options: { mayClose } }));
    expect({ close: d.close, closed: d.closed }).toEqual({ close, closed });
    expect(d.plan.close).toBe(planCloses);
  });

  it.each([
    ["a failing open issue with `watch:` starts its watch", { watch: {} }, "fail", false, "start"],
    ["without `watch:` nothing changes", {}, "fail", false, "keep"],
    ["a passing issue stops it", { watch: {} }, "pass", false, "stop"],
    ["a closed issue stops it", { watch: {} }, "fail", true, "stop"],
  ])("%s", (_, config, verdict, planCloses, kind) => {
    const d = written(
      input({
        config: configOf(config),
        diagnosis: diagnosisOf(verdict as Diagnosis["verdict"]),
        plan: planOf([], planCloses),
      }),
    );
    expect(d.watch.kind).toBe(kind);
  });

  describe("/triage apply", () => {
    const config = configOf({ mode: "review" });
    const shownBefore = written(input({ config })).fresh;

    it("opens the plan shown last when it is still current, whatever the mode", () => {
      const d = written(input({ config, shownBefore, options: { apply: { proposalId: shownBefore.id } } }));
      expect(d.plan.create.map((c) => c.template)).toEqual(TEMPLATES);
      expect(d.shown).toBeUndefined();
    });

    it.each([
      ["no plan was shown", undefined, undefined, "no plan has been shown on this issue yet"],
      ["another plan id", "shown", "0000000", "plan `0000000` is not the plan shown last"],
    ])("refuses when %s, and gives the fresh plan to show", (_, shown, proposalId, reason) => {
      const d = decideWrites(
        input({ config, shownBefore: shown ? shownBefore : undefined, options: { apply: { proposalId } } }),
      );
      expect(d.kind).toBe("stale");
      if (d.kind !== "stale") return;
      expect(d.reasons.join("\n")).toContain(reason);
      expect(d.fresh).toEqual(
        toProposal({
          config,
          diagnosis: diagnosisOf("fail"),
          create: written(input()).plan.create,
          existing: [],
          reviews: {},
        }),
      );
    });

    it("refuses when the plan would now open other follow-ups", () => {
      const d = decideWrites(input({ config, shownBefore, plan: planOf(["runbook"]), options: { apply: {} } }));
      expect(d.kind).toBe("stale");
    });
  });
});
