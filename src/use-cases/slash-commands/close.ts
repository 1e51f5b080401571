import type { Command } from "./command.js";

/** What `/triage close` asks of GitHub. */
export interface CloseGitHub {
  closeIssue(reason: "completed"): Promise<void>;
}

/** What `/triage reopen` asks of GitHub. */
export interface ReopenGitHub {
  reopenIssue(): Promise<void>;
}

export const close: Command<CloseGitHub> = {
  name: "close",
  usage: "/triage close",
  help: "Closes the issue as completed, with a summary comment.",
  minRole: "write",
  on: "parent",
  examples: ["/triage close"],
  async run(ctx) {
    if (ctx.issue.state === "closed") return { ok: false, reason: "the issue is already closed" };
    await ctx.gh.closeIssue("completed");
    ctx.issue.state = "closed";
    return {
      ok: true,
      reply:
        `Closed as completed by \`${ctx.author}\` with \`/triage close\`. The diagnosis comment above has the last ` +
        `check and the follow-up issues with their review state.`,
    };
  },
};

export const reopen: Command<ReopenGitHub> = {
  name: "reopen",
  usage: "/triage reopen",
  help: "Reopens the issue.",
  minRole: "write",
  on: "parent",
  examples: ["/triage reopen"],
  async run(ctx) {
    if (ctx.issue.state !== "closed") return { ok: false, reason: "the issue is not closed" };
    await ctx.gh.reopenIssue();
    ctx.issue.state = "open";
    return { ok: true };
  },
};
