import type { ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import type { TriageGitHub, TriageOutcome } from "../triage/run-triage.js";
import type { CommandContext, CommandResult } from "./command.js";

/** The issue a parent command runs on, as the triage run wants it. */
export function parentOf(ctx: CommandContext<Pick<TriageGitHub, "owner" | "repo">>): ParentIssue {
  const { gh, issue } = ctx;
  return {
    owner: gh.owner,
    repo: gh.repo,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    url: issue.html_url,
  };
}

/** A triage outcome as a command result: a configuration problem is the user's to fix, and says where. */
export function resultOf(outcome: TriageOutcome): CommandResult {
  if (outcome.kind === "config-error") {
    return {
      ok: false,
      reason:
        `the configuration has ${outcome.problems.length} problem(s); the diagnosis comment lists each with its file ` +
        `and line`,
    };
  }
  if (outcome.kind === "stale") {
    return {
      ok: false,
      reason:
        `the plan is out of date (${outcome.reasons.join("; ")}), so nothing was created. The diagnosis comment now ` +
        `shows plan \`${outcome.shown.id}\`: check it, then comment \`/triage apply ${outcome.shown.id}\``,
    };
  }
  if (outcome.kind === "limited") return { ok: false, reason: outcome.message };
  return { ok: true };
}
