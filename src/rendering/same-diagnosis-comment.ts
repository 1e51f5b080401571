/** The "checked … at 2025-01-02 03:04 UTC" stamp of a diagnosis comment: it changes on every run. */
const CHECKED_AT = / at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\./g;

/**
 * True when two renderings of the diagnosis comment say the same thing apart from when the check ran, so a repeated
 * run that found nothing new writes nothing (an edit would notify nobody but still costs a write and GitHub's pacing).
 */
export function sameDiagnosisComment(previous: string | null | undefined, next: string): boolean {
  if (previous === null || previous === undefined) return false;
  return previous.replace(CHECKED_AT, " at <time>.") === next.replace(CHECKED_AT, " at <time>.");
}
