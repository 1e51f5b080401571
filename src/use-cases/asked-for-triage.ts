import { addedCommands, parseCommands } from "./slash-commands/parse-commands.js";
import { DEFAULT_LENIENT_SETTINGS } from "../domain/config/read-leniently.js";

/** A webhook delivery as the queue holds it: its event name and payload. */
// biome-ignore lint/suspicious/noExplicitAny: a webhook payload, read field by field with optional chaining
export type DeliveredEvent = { name: string; payload: any };

/** The trigger label every repository has unless its config names others. */
const DEFAULT_LABELS = DEFAULT_LENIENT_SETTINGS.labels;

/** Errors of runs known to be triage requests (set by the features once the config said so). */
const requested = new WeakSet<object>();

/**
 * Whether the delivery, from its payload alone, unambiguously asks the app for something: the default trigger label
 * (`triage:config`) added by a person, or a comment by a person on an issue (not a pull request) whose text (or edit)
 * adds a `/triage` command. A
 * configured trigger label cannot be told from the payload (the labels live in the config), so it is not here: the
 * label feature marks the run's error instead (`markTriageRequest`) once it has read that the label is a trigger.
 */
export function askedForTriage(event: DeliveredEvent): boolean {
  const p = event.payload;
  if (!p || p.sender?.type === "Bot") return false;
  if (event.name === "issues") return p.action === "labeled" && DEFAULT_LABELS.includes(p.label?.name);
  // Commands on a pull request are ignored unless the config says `pull_requests: true`: not known from the payload.
  if (event.name !== "issue_comment" || p.issue?.pull_request) return false;
  if (p.action === "created") return parseCommands(p.comment?.body).length > 0;
  if (p.action !== "edited" || p.sender?.login !== p.comment?.user?.login) return false;
  const before = p.changes?.body?.from;
  return typeof before === "string" && addedCommands(before, p.comment?.body).length > 0;
}

/** Marks a failed run's error as one of a triage that was asked for, so its failure is reported; returns it. */
export function markTriageRequest(error: unknown): unknown {
  if (error !== null && typeof error === "object") requested.add(error);
  return error;
}

/**
 * Whether a delivery that failed for good should say so on its issue ("could not finish"): only when a triage was
 * asked for. A failure while the app was still finding out whether the event concerned it (say, reading the config
 * for someone's `bug` label, and GitHub answering 5xx or `_extends` pointing nowhere) is logged, never posted on an
 * issue nobody asked it to triage.
 */
export function shouldReportFailure(event: DeliveredEvent, error: unknown): boolean {
  const root = rootError(error);
  return askedForTriage(event) || (root !== null && typeof root === "object" && requested.has(root));
}

/** Probot wraps handler errors in an AggregateError; the first original error is the one that says why. */
export function rootError(error: unknown): unknown {
  const inner = (error as { errors?: unknown[] })?.errors;
  return Array.isArray(inner) && inner.length ? rootError(inner[0]) : error;
}
