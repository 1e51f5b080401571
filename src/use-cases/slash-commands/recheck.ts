import { runTriage, type TriageGitHub } from "../triage/run-triage.js";
import type { Command } from "./command.js";
import { parentOf, resultOf } from "./parent-issue.js";

export const recheck: Command<TriageGitHub> = {
  name: "recheck",
  usage: "/triage recheck",
  help:
    "Runs the live check again and updates the diagnosis in place, with what changed since the last check; closes " +
    "the issue when every check passes (if `on_pass: close`).",
  minRole: "triage",
  on: "parent",
  examples: ["/triage recheck"],
  async run(ctx) {
    return resultOf(await runTriage(ctx.gh, parentOf(ctx), ctx.deps, ctx.configRead, { showChanges: true }));
  },
};
