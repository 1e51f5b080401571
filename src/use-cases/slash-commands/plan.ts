import { runTriage, type TriageGitHub } from "../triage/run-triage.js";
import type { Command } from "./command.js";
import { parentOf, resultOf } from "./parent-issue.js";

export const plan: Command<TriageGitHub> = {
  name: "plan",
  usage: "/triage plan",
  help:
    "Shows in the diagnosis comment the follow-ups `apply` would create (titles, labels, assignees, which exist " +
    "already) with a short plan id. Creates nothing.",
  minRole: "triage",
  on: "parent",
  examples: ["/triage plan"],
  async run(ctx) {
    return resultOf(
      await runTriage(ctx.gh, parentOf(ctx), ctx.deps, ctx.configRead, { followUps: "plan", mayClose: false }),
    );
  },
};
