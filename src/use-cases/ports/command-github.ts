import type { PermissionAnswer } from "../../domain/roles/resolve-role.js";
import type { IssueGitHub } from "./issue-github.js";

/** A reaction the app puts on a command's comment: seen, done, or refused. */
export type Reaction = "eyes" | "rocket" | "confused";

/** What the commands ask of GitHub beyond a triage run, for one issue. */
export interface CommandGitHub extends IssueGitHub {
  react(commentId: number, content: Reaction): Promise<void>;
  /** The collaborator permission answer for `user`; throws with `status` when GitHub refuses. */
  permissionOf(user: string): Promise<PermissionAnswer>;
  /** Takes a label off; a label that is not there is not an error. */
  removeLabel(name: string): Promise<void>;
  reopenIssue(): Promise<void>;
  updateBody(body: string): Promise<void>;
}
