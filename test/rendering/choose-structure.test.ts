import { describe, expect, it } from "@jest/globals";
import { chooseIssueType, chooseMilestone } from "../../src/rendering/choose-structure.js";
import type { Milestone } from "../../src/domain/follow-up-plan/follow-up-plan.js";

const TODAY = "2026-11-29";
const OPEN: Milestone[] = [
  { number: 4, title: "Sprint 50", due_on: "2026-12-27T08:00:00Z" },
  { number: 1, title: "Sprint 47", due_on: "2026-11-29T08:00:00Z" },
  { number: 3, title: "Sprint 49", due_on: "2026-12-13T08:00:00Z" },
  { number: 2, title: "Sprint 48", due_on: "2026-12-06T08:00:00Z" },
  { number: 5, title: "Backlog", due_on: null },
];

describe("chooseMilestone", () => {
  it.each([
    ["next: the open milestone due soonest after today (today's does not count)", "next", "Sprint 48"],
    ["next+1: the one after it", "next+1", "Sprint 49"],
    ["next+2", "next+2", "Sprint 50"],
    ["a title", "Backlog", "Backlog"],
    ["a title in other case", "sprint 49", "Sprint 49"],
  ])("%s", (_name, wanted, title) => {
    expect(chooseMilestone(wanted, OPEN, TODAY)).toEqual({ ok: true, value: expect.objectContaining({ title }) });
  });

  it.each([
    [
      "next with no milestone due after today",
      "next",
      [OPEN[1], OPEN[4]],
      "no open milestone is due after 2026-11-29 (`next` needs 1)",
    ],
    ["next+3 with three due", "next+3", OPEN, "only 3 open milestones are due after 2026-11-29 (`next+3` needs 4)"],
    [
      "a title none has",
      "Q1 2027",
      OPEN.slice(0, 2),
      "no open milestone is titled `Q1 2027` (open: `Sprint 50`, `Sprint 47`)",
    ],
    ["no milestones at all", "Backlog", [], "no open milestone is titled `Backlog`"],
  ])("%s: says why there is none (never creates one)", (_name, wanted, open, why) => {
    expect(chooseMilestone(wanted, open, TODAY)).toEqual({ ok: false, why });
  });
});

describe("chooseIssueType", () => {
  const types = [{ name: "Task" }, { name: "Bug" }];
  it("matches a type ignoring case", () => {
    expect(chooseIssueType("bug", types)).toEqual({ ok: true, value: { name: "Bug" } });
  });
  it("says when the organisation has no such type", () => {
    expect(chooseIssueType("Epic", types)).toEqual({
      ok: false,
      why: "the organisation has no issue type `Epic` (types: `Task`, `Bug`)",
    });
  });
  it("says when the repository has no issue types", () => {
    expect(chooseIssueType("Task", undefined)).toEqual({
      ok: false,
      why: "this repository has no issue types (an organisation sets them up), so `Task` cannot be set",
    });
  });
});
