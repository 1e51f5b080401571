import type { TriageObserver } from "../ports/triage-observer.js";

/** Tells the observer (if any) that a triage started and how it ended; the outcome is `error` when it throws. */
export async function observeTriage<T>(
  observer: TriageObserver | undefined,
  run: () => Promise<T>,
  outcomeOf: (result: T) => string,
): Promise<T> {
  if (!observer) return run();
  const ended = observer.triageStarted();
  let outcome = "error";
  try {
    const result = await run();
    outcome = outcomeOf(result);
    return result;
  } finally {
    ended(outcome);
  }
}
