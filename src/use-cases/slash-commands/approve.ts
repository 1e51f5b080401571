import { escapeMarkdown } from "../../rendering/escape-markdown.js";
import { readFollowUpMarker } from "../../domain/issue-state/markers.js";
import type { Command } from "./command.js";
import { recordReview, type ReviewGitHub, rewriteFollowUpMarker } from "./record-review.js";

/** What `/triage approve` asks of GitHub on the follow-up (the parent's comment: `ReviewGitHub`). */
export interface ApproveGitHub {
  /** Takes a label off; a label that is not there is not an error. */
  removeLabel(name: string): Promise<void>;
}

/** What `/triage reject` asks of GitHub on the follow-up (the parent's comment: `ReviewGitHub`). */
export interface RejectGitHub {
  updateBody(body: string): Promise<void>;
  closeIssue(reason: "not_planned"): Promise<void>;
}

export const approve: Command<ApproveGitHub, ReviewGitHub> = {
  name: "approve",
  usage: "/triage approve",
  help: "On a follow-up: accepts it, taking off its review label (default `needs-review`).",
  minRole: "write",
  on: "follow-up",
  examples: ["/triage approve"],
  async run(ctx) {
    const followUp = ctx.followUp!;
    if (ctx.issue.state_reason === "not_planned" || readFollowUpMarker(ctx.issue.body)?.rejected) {
      return {
        ok: false,
        reason: "this follow-up was rejected; a rejection is final (open a new issue if the work is wanted after all)",
      };
    }
    await ctx.gh.removeLabel(ctx.config!.review_label);
    await recordReview(ctx, followUp, "approved");
    return { ok: true };
  },
};

export const reject: Command<RejectGitHub, ReviewGitHub> = {
  name: "reject",
  usage: "/triage reject [reason]",
  help:
    "On a follow-up: closes it as not planned, with the reason. It is never created again, by `apply` or by the " +
    "label.",
  minRole: "write",
  on: "follow-up",
  examples: ["/triage reject", "/triage reject we already monitor this in Datadog"],
  async run(ctx) {
    const followUp = ctx.followUp!;
    // Remembered three ways: closed as not planned, the follow-up's own marker, and the parent's diagnosis state.
    const body = ctx.issue.body ?? "";
    const marked = rewriteFollowUpMarker(body, { rejected: true });
    if (marked !== body) await ctx.gh.updateBody(marked);
    ctx.issue.body = marked;
    await ctx.gh.closeIssue("not_planned");
    ctx.issue.state = "closed";
    ctx.issue.state_reason = "not_planned";
    await recordReview(ctx, followUp, "rejected");
    const reason = ctx.args ? `\n\n> ${escapeMarkdown(ctx.args)}` : "";
    return {
      ok: true,
      reply:
        `Rejected by \`${ctx.author}\` with \`/triage reject\`: closed as not planned. config-triage will not open ` +
        `this follow-up again for #${followUp.parent}.${reason}`,
    };
  },
};
