import type { Context } from "probot";
import { parseConfig } from "../domain/config/parse-config.js";
import { ConfigSchema } from "../domain/config/schema.js";
import type { ConfigRead } from "./ports/issue-github.js";
import { isAppAuthored, readFollowUpMarker, type AppIdentity } from "../domain/issue-state/markers.js";
import type { Review } from "../domain/follow-up-plan/to-proposal.js";
import { refreshFollowUpList } from "./triage/refresh-follow-up-list.js";
import type { Feature } from "./feature.js";
import { issueWatchOf } from "./issue-watch.js";
import { triggerLabels } from "./label-trigger.js";

type IssueEvent = Context<"issues.closed" | "issues.reopened" | "issues.unlabeled">;

/** What an `issues` event means to the app, decided from the payload alone (nothing read yet). */
export type IssueEventMeaning =
  /** A person closed, reopened or took the review label off one of the app's follow-ups: its parent's list follows. */
  | { kind: "follow-up"; parent: number; template: string; unlabeled?: string }
  /** The issue closed, or lost a label: its watch may stop. */
  | { kind: "watched"; closed: boolean; unlabeled?: string }
  | { kind: "none" };

/** Decides what an `issues.closed|reopened|unlabeled` event means. Pure. */
export function issueEventMeaning(
  payload: {
    action: string;
    issue: { body?: string | null; user?: { login?: string; type?: string } | null; pull_request?: unknown };
    label?: { name?: string } | null;
    sender?: { type?: string } | null;
  },
  identity: AppIdentity,
): IssueEventMeaning {
  const { action, issue } = payload;
  if (issue.pull_request) return { kind: "none" };
  const unlabeled = action === "unlabeled" ? payload.label?.name : undefined;
  if (action === "unlabeled" && !unlabeled) return { kind: "none" };
  const marker = readFollowUpMarker(issue.body);
  const followUp = marker && isAppAuthored(issue as never, identity) ? marker : undefined;
  if (followUp) {
    // The app's own writes (a fix follow-up it closed) are listed by the triage that made them.
    if (!payload.sender || payload.sender.type === "Bot") return { kind: "none" };
    return { kind: "follow-up", parent: followUp.parent, template: followUp.template, unlabeled };
  }
  return { kind: "watched", closed: action === "closed", unlabeled };
}

const DEFAULT_ORDER = ConfigSchema.shape.follow_ups
  .parse(undefined)
  .map((f) => (typeof f === "string" ? f : f.template));

/** The config, leniently: the follow-up order and the review label, with the defaults when the file is broken. */
function lenient(read: ConfigRead): { order: string[]; reviewLabel: string } {
  const parsed = read.kind === "found" ? parseConfig(read.value) : undefined;
  if (!parsed?.ok) return { order: DEFAULT_ORDER, reviewLabel: ConfigSchema.shape.review_label.parse(undefined) };
  return { order: parsed.config.follow_ups.map((f) => f.template), reviewLabel: parsed.config.review_label };
}

/**
 * The parent's diagnosis comment follows its follow-ups (a person closes, reopens, approves by taking the review label
 * off, or rejects by closing as not planned), and an issue's watch stops when it closes or loses its trigger label.
 * The follow-up's marker names its parent: the `issues` event carries everything needed (GitHub's sub-issue events
 * fire only when a link is added or removed, not when a sub-issue changes state).
 */
export const followUpEvents: Feature = {
  name: "follow-ups",
  help:
    "When a person closes, reopens, approves (takes the review label off) or rejects (closes as not planned) a " +
    "follow-up, the parent's diagnosis comment updates its list in place. A watched issue stops being watched when " +
    "it closes or loses its trigger label.",
  register(app, deps) {
    app.on(["issues.closed", "issues.reopened", "issues.unlabeled"], async (context: IssueEvent) => {
      const meaning = issueEventMeaning(context.payload, deps.identity);
      if (meaning.kind === "none") return;
      if (meaning.kind === "watched") {
        const watch = issueWatchOf(context, deps);
        if (!watch) return;
        if (meaning.closed) {
          if (await watch.stop("the issue is closed"))
            context.log.info({ issue: context.payload.issue.number }, "watch stopped: closed");
          return;
        }
        // Only a watched issue costs a read (its labels), and only when one of its labels is taken off.
        if (!(await watch.get())) return;
        const gh = deps.gitHubFor(context, context.payload.issue.number);
        const labels = triggerLabels(await gh.readConfig()).map((l) => l.toLowerCase());
        const left = (context.payload.issue.labels ?? []).map((l) => l?.name?.toLowerCase() ?? "");
        if (labels.includes(meaning.unlabeled!.toLowerCase()) && !labels.some((l) => left.includes(l))) {
          await watch.stop("the trigger label was removed");
          context.log.info({ issue: context.payload.issue.number }, "watch stopped: the trigger label was removed");
        }
        return;
      }
      const gh = deps.gitHubFor(context, meaning.parent);
      const { order, reviewLabel } = lenient(await gh.readConfig());
      let review: { template: string; review: Review } | undefined;
      if (meaning.unlabeled) {
        if (meaning.unlabeled.toLowerCase() !== reviewLabel.toLowerCase()) return;
        review = { template: meaning.template, review: "approved" };
      }
      const written = await refreshFollowUpList(gh, { identity: deps.identity, parent: meaning.parent, order, review });
      context.log.info(
        { issue: context.payload.issue.number, parent: meaning.parent, action: context.payload.action, written },
        "follow-up changed by a person: the parent's list follows",
      );
    });
  },
};
