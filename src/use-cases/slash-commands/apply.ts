import { runTriage, type TriageGitHub } from "../triage/run-triage.js";
import type { Command } from "./command.js";
import { parentOf, resultOf } from "./parent-issue.js";

export const apply: Command<TriageGitHub> = {
  name: "apply",
  usage: "/triage apply [plan-id]",
  help:
    "Creates exactly the follow-ups the plan shown lists (only missing ones). Refuses, shows a new plan and says " +
    "what changed when the live state or the config changed since.",
  minRole: "write",
  on: "parent",
  examples: ["/triage apply", "/triage apply 3f9c2ab"],
  async run(ctx) {
    const proposalId = ctx.args.split(" ")[0] || undefined;
    if (proposalId && !/^[0-9a-f]{7}$/.test(proposalId)) {
      return {
        ok: false,
        reason:
          `\`${proposalId.replace(/`/g, "'")}\` is not a plan id: ` +
          `a plan id is the 7 characters shown after "Plan" in the diagnosis comment`,
      };
    }
    return resultOf(
      await runTriage(ctx.gh, parentOf(ctx), ctx.deps, ctx.configRead, { apply: { proposalId }, mayClose: false }),
    );
  },
};
