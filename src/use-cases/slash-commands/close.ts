import type { GhComment, GhIssue } from "../ports/issue-github.js";
import { recall } from "../triage/run-triage.js";
import type { Command } from "./command.js";

/** What `/triage close` asks of GitHub. */
export interface CloseGitHub {
  closeIssue(reason: "completed"): Promise<void>;
}

/** What `/triage reopen` asks of GitHub: the app's comment and follow-ups (which it closed as fixed), reopening. */
export interface ReopenGitHub {
  reopenIssue(): Promise<void>;
  listComments(): Promise<GhComment[]>;
  listSubIssues(): Promise<GhIssue[]>;
  updateOtherIssue(number: number, update: { reopen?: boolean }): Promise<void>;
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
  help: "Reopens the issue, and the fix follow-up config-triage closed when its checks passed.",
  minRole: "write",
  on: "parent",
  examples: ["/triage reopen"],
  async run(ctx) {
    // Undoes an automatic close: the fix follow-ups the app closed as fixed (its diagnosis state names them).
    const [comments, subIssues] = await Promise.all([ctx.gh.listComments(), ctx.gh.listSubIssues()]);
    const memory = recall(comments, subIssues, ctx.deps.identity, ctx.issue.number);
    const closedFixes = (memory.state?.autoClosed ?? []).filter((n) =>
      memory.followUps.some((f) => f.number === n && f.state === "closed"),
    );
    if (ctx.issue.state !== "closed" && !closedFixes.length) return { ok: false, reason: "the issue is not closed" };
    if (ctx.issue.state === "closed") await ctx.gh.reopenIssue();
    for (const n of closedFixes) await ctx.gh.updateOtherIssue(n, { reopen: true });
    ctx.issue.state = "open";
    if (!closedFixes.length) return { ok: true };
    const fixes = closedFixes.map((n) => `#${n}`).join(", ");
    return {
      ok: true,
      reply:
        `Reopened by \`${ctx.author}\` with \`/triage reopen\`, with ${fixes}, ` +
        "which config-triage had closed as fixed.",
    };
  },
};
