import type { GhComment } from "../ports/issue-github.js";
import { fitBody, GITHUB_BODY_LIMIT } from "../../rendering/fit-body.js";
import {
  DIAGNOSIS_START,
  diagnosisStateMarker,
  emptyState,
  NOTICE_END,
  NOTICE_START,
  OWN_END,
  type AppIdentity,
} from "../../domain/issue-state/markers.js";
import { replaceOwnSection } from "../../rendering/own-section.js";
import { recall } from "./run-triage.js";

/** The "could not finish" block: why, and what happens next. `why` is one line the app wrote (never issue text). */
export function renderFailureNotice(why: string, next: string): string {
  const safeWhy = why
    .replace(/[`\r\n]/g, " ")
    .replace(/@/g, "@\u200b")
    .slice(0, 500);
  return [
    NOTICE_START,
    "### ⚠️ config-triage could not finish",
    "",
    `**Why:** \`${safeWhy}\``,
    "",
    `**What happens next:** ${next}`,
    NOTICE_END,
  ].join("\n");
}

/** Removes an earlier notice from the app's comment, so at most one is ever shown. */
export function stripNotice(body: string): string {
  const start = body.indexOf(NOTICE_START);
  const end = body.indexOf(NOTICE_END);
  if (start < 0 || end < start) return body;
  return body.slice(0, start).replace(/\n+$/, "\n") + body.slice(end + NOTICE_END.length).replace(/^\n+/, "");
}

/** What reporting a failure asks of GitHub: the comments, and writing the app's one comment. */
export interface FailureGitHub {
  readonly number: number;
  listComments(): Promise<GhComment[]>;
  createComment(body: string): Promise<unknown>;
  updateComment(id: number, body: string): Promise<void>;
}

/**
 * Says on the issue that a run could not finish, in the app's one comment (appended to the diagnosis, or a new comment
 * carrying the app's marker, so the next successful run rewrites it in place and the notice goes away).
 */
export async function reportFailure(
  gh: FailureGitHub,
  identity: AppIdentity,
  why: string,
  next: string,
): Promise<void> {
  const memory = recall(await gh.listComments(), [], identity, gh.number);
  const notice = renderFailureNotice(why, next);
  if (memory.comment) {
    // Inside the app's own section, so the next successful run, which rewrites that section, removes it.
    const body = stripNotice(memory.comment.body ?? "");
    const end = body.indexOf(OWN_END);
    const [before, after] = end >= 0 ? [body.slice(0, end), `\n${body.slice(end)}`] : [`${body}\n\n`, ""];
    // A diagnosis near GitHub's limit is cut (its markers kept) so the notice itself always shows.
    const room = GITHUB_BODY_LIMIT - notice.length - after.length;
    await gh.updateComment(memory.comment.id, `${fitBody(before, { limit: Math.max(room, 0) })}${notice}${after}`);
  } else {
    await gh.createComment(
      replaceOwnSection(undefined, `${diagnosisStateMarker(emptyState())}\n\n${notice}`, DIAGNOSIS_START),
    );
  }
}
