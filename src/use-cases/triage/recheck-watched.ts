import type { ConfigRead, IssueGitHub } from "../ports/issue-github.js";
import { decideRecheck, type Watch } from "../../domain/follow-up-plan/decide-watch.js";
import { runTriage, type TriageNeeds, type TriageOutcome } from "./run-triage.js";

/** The issue a scheduled recheck is about, as GitHub answers it now. */
export interface WatchedIssue {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state: string;
  labels: Array<string | { name?: string }>;
}

/**
 * One scheduled recheck of a watched issue: the watch ends (and nothing is written) when its period is over, the
 * issue is closed or its trigger label is gone; otherwise a triage runs as the label's would, marked `scheduled` (not
 * counted against `max_triages_per_hour`; it writes nothing when it finds nothing new, and closes the issue and its
 * fix follow-up once every check passes, which also ends the watch).
 */
export async function recheckWatched(o: {
  watch: Watch;
  now: number;
  issue: WatchedIssue;
  gh: IssueGitHub;
  configRead: ConfigRead;
  triggerLabels: string[];
  deps: TriageNeeds & Required<Pick<TriageNeeds, "watch">>;
}): Promise<{ kind: "stopped"; reason: string } | TriageOutcome> {
  const { issue, deps } = o;
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  const step = decideRecheck({
    now: o.now,
    untilMs: o.watch.untilMs,
    issue: { state: issue.state, labels },
    triggerLabels: o.triggerLabels,
  });
  if (!step.run) {
    await deps.watch.stop(step.reason);
    deps.log.info({ issue: issue.number, why: step.reason }, "watch ended");
    return { kind: "stopped", reason: step.reason };
  }
  const parent = {
    owner: o.gh.owner,
    repo: o.gh.repo,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    url: issue.html_url,
    state: issue.state,
  };
  return runTriage(o.gh, parent, deps, o.configRead, { scheduled: true });
}
