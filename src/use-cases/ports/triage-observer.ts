/**
 * Told about each triage run, so that the server can count and time triages (Prometheus) and the Action can read a
 * run's outcome, without the triage knowing either.
 */
export interface TriageObserver {
  /** A triage starts; the returned function is called once when it ends, with its outcome (`error` if it threw). */
  triageStarted(): (outcome: string) => void;
}
