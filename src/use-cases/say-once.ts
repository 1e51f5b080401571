import type { GhComment } from "./ports/issue-github.js";
import { isAppAuthored, readNoticeMarker, type AppIdentity, type NoticeKey } from "../domain/issue-state/markers.js";

/** Whether the app already said this notice on the issue (a marker pasted by a person does not count). */
export async function alreadySaid(
  gh: { listComments(): Promise<GhComment[]> },
  identity: AppIdentity,
  key: NoticeKey,
): Promise<boolean> {
  const comments = await gh.listComments();
  return comments.some((c) => {
    if (!isAppAuthored(c, identity)) return false;
    const said = readNoticeMarker(c.body);
    return Boolean(said) && Object.entries(key).every(([k, v]) => said![k] === v);
  });
}
