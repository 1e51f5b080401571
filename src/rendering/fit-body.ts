import { ANY_MARKER } from "../domain/issue-state/markers.js";

/** GitHub rejects an issue or comment body longer than this (characters): 422 "body is too long". */
export const GITHUB_BODY_LIMIT = 65_536;
/** GitHub answers 422 "title is too long (maximum is 256 characters)" past this. */
export const GITHUB_TITLE_LIMIT = 256;
/**
 * Check runs: `output.summary` and `output.text` are at most 65,535 characters (GitHub's REST description,
 * `maxLength`); the description does not say characters of what, so they are measured in UTF-8 bytes, the stricter.
 */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
/** Check runs: at most 50 annotations per request. */
export const CHECK_RUN_ANNOTATIONS = 50;
/** Check runs: an annotation's `message` is at most 64 KB. */
export const ANNOTATION_MESSAGE_LIMIT = 64 * 1024;

export interface FitOptions {
  /** Default `GITHUB_BODY_LIMIT`. */
  limit?: number;
  /** Count UTF-8 bytes instead of characters (check-run text). */
  bytes?: boolean;
  /** The note put where text was left out, given how many lines were. */
  note?: (omittedLines: number) => string;
}

const defaultNote = (n: number) =>
  `\n\n> ✂️ Cut to fit GitHub's size limit: ${n} more line${n === 1 ? "" : "s"} not shown.`;

/**
 * Keeps a body within GitHub's limit, saying that it was cut. It cuts at a line where it can, closes a code block or
 * `<details>` the cut leaves open, and never cuts one of the app's markers: a marker past the cut is kept, after the
 * note, so the app still finds its state and its own section. Text within the limit is returned as it is.
 */
export function fitBody(body: string, options: FitOptions = {}): string {
  const limit = options.limit ?? GITHUB_BODY_LIMIT;
  const size = options.bytes ? (s: string) => Buffer.byteLength(s, "utf8") : (s: string) => s.length;
  if (size(body) <= limit) return body;
  const note = options.note ?? defaultNote;
  const markers = [...body.matchAll(ANY_MARKER)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    text: m[0],
  }));
  const reserve = size(note(999_999)) + markers.reduce((n, m) => n + size(m.text) + 1, 0) + 40;
  let cut = prefixWithin(body, limit - reserve, size);
  const lineEnd = body.lastIndexOf("\n", cut);
  if (lineEnd >= 0 && lineEnd > cut - 2_000) cut = lineEnd;
  for (const m of markers) if (m.start < cut && m.end > cut) cut = m.start;
  const kept = body.slice(0, cut);
  const closers: string[] = [];
  if ((kept.match(/^ {0,3}```/gm) ?? []).length % 2 === 1) closers.push("```");
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) closers.push("</details>");
  const after = markers.filter((m) => m.start >= cut).map((m) => m.text);
  const omitted = body.slice(cut).split("\n").length - 1;
  const fitted = [kept, ...closers].join("\n") + note(omitted) + (after.length ? `\n${after.join("\n")}` : "");
  // Only when the markers alone are over the limit (the app bounds its state, so never in practice).
  return size(fitted) <= limit ? fitted : after.join("\n").slice(0, Math.max(0, limit));
}

/** The longest prefix length of `text` whose size is at most `room` (never splitting a surrogate pair). */
function prefixWithin(text: string, room: number, size: (s: string) => number): number {
  if (room <= 0) return 0;
  let lo = 0;
  let hi = Math.min(text.length, room);
  if (size(text.slice(0, hi)) > room) {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (size(text.slice(0, mid)) <= room) lo = mid;
      else hi = mid - 1;
    }
    hi = lo;
  }
  const code = text.charCodeAt(hi - 1);
  return code >= 0xd800 && code <= 0xdbff ? hi - 1 : hi;
}

/** A title within GitHub's limit, cut with an ellipsis. */
export function fitTitle(title: string, limit = GITHUB_TITLE_LIMIT): string {
  if (title.length <= limit) return title;
  const cut = prefixWithin(title, limit - 1, (s) => s.length);
  return `${title.slice(0, cut).trimEnd()}…`;
}
