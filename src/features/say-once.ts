import type { IssueGitHub } from "../github/issue-github.js";
import { isAppAuthored, readMarker, writeMarker, type AppIdentity } from "../render/markers.js";

/** What a one-time notice is about, e.g. `{ notice: "label-role" }`; kept in a marker in the app's own comment. */
export type NoticeKey = Record<string, string>;

/** The marker that remembers a notice; it opens the comment that says it. */
export function noticeMarker(key: NoticeKey): string {
  return writeMarker("notice", key);
}

/** Whether the app already said this notice on the issue (a marker pasted by a person does not count). */
export async function alreadySaid(gh: IssueGitHub, identity: AppIdentity, key: NoticeKey): Promise<boolean> {
  const comments = await gh.listComments();
  return comments.some((c) => {
    if (!isAppAuthored(c, identity)) return false;
    const said = readMarker<Record<string, unknown>>("notice", c.body);
    return Boolean(said) && Object.entries(key).every(([k, v]) => said![k] === v);
  });
}
