/**
 * The app's own part of a comment or issue body. People may edit what the app wrote (add a note above or below); when
 * the app updates the text it rewrites only the part between its start marker and its end marker and keeps the rest.
 */
import { OWN_END } from "../domain/issue-state/markers.js";

export { OWN_END };

/** Replaces the app's section of `previous` (starting at `startMarker`) with `section`; the rest of the text stays. */
export function replaceOwnSection(previous: string | null | undefined, section: string, startMarker: string): string {
  const next = section.endsWith(OWN_END) ? section : `${section}\n${OWN_END}`;
  if (!previous) return next;
  const start = previous.indexOf(startMarker);
  const end = previous.indexOf(OWN_END, Math.max(start, 0));
  // Text written before the end marker existed: all of it is the app's.
  if (start < 0 || end < 0) return next;
  return previous.slice(0, start) + next + previous.slice(end + OWN_END.length);
}
