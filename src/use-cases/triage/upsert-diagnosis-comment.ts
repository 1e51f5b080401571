import { DIAGNOSIS_START } from "../../domain/issue-state/markers.js";
import { replaceOwnSection } from "../../rendering/own-section.js";
import type { TriageGitHub } from "../ports/triage-github.js";
import type { IssueMemory } from "./recall-issue-memory.js";

/** Writes the app's one comment on the issue, or rewrites its own section in place (text people added stays). */
export async function upsertComment(
  gh: Pick<TriageGitHub, "createComment" | "updateComment">,
  memory: Pick<IssueMemory, "comment">,
  section: string,
): Promise<void> {
  if (memory.comment) {
    const body = replaceOwnSection(memory.comment.body, section, DIAGNOSIS_START);
    if (memory.comment.body !== body) await gh.updateComment(memory.comment.id, body);
  } else {
    await gh.createComment(replaceOwnSection(undefined, section, DIAGNOSIS_START));
  }
}
