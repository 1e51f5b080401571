import type { ConfigProblem } from "../config/parse-config.js";
import type { Config } from "../config/schema.js";
import { formatDuration, parseDuration } from "../config/parse-duration.js";

/** The deployment's floor for `watch.every` unless the operator sets `CONFIG_TRIAGE_WATCH_MIN_EVERY`. */
export const DEFAULT_WATCH_MIN_EVERY_MS = 5 * 60_000;
/** At most this many issues watched at once per installation unless the operator sets `CONFIG_TRIAGE_MAX_WATCHES`. */
export const DEFAULT_MAX_WATCHES = 100;
/** `watch: {}` (and `/triage watch` on a repository without `watch:`): every 30 minutes for 7 days. */
const DEFAULTS = { every: "30m", for: "7d" };

/** How often and how long one issue is rechecked, in milliseconds. */
export interface WatchTiming {
  everyMs: number;
  forMs: number;
}

/** One watched issue, as the scheduler keeps it (plain data: it is stored in Redis). */
export interface Watch {
  installation: number;
  owner: string;
  repo: string;
  number: number;
  everyMs: number;
  /** When it stops by itself (epoch ms). */
  untilMs: number;
}

/** The key of an issue's watch: one watch per issue. */
export function watchKey(w: Pick<Watch, "installation" | "owner" | "repo" | "number">): string {
  return `${w.installation}:${w.owner.toLowerCase()}/${w.repo.toLowerCase()}#${w.number}`;
}

/** The timing of `watch:` (its defaults when `watch` is `{}` or, for `/triage watch`, absent). */
export function watchTiming(watch: Config["watch"] | undefined): WatchTiming {
  return {
    everyMs: parseDuration(watch?.every ?? DEFAULTS.every)!,
    forMs: parseDuration(watch?.for ?? DEFAULTS.for)!,
  };
}

/**
 * `watch.every` below the deployment's minimum, as a config problem at its line. The schema checks the syntax and the
 * upper bounds; the minimum is the operator's (`CONFIG_TRIAGE_WATCH_MIN_EVERY`), so it is checked here.
 */
export function watchProblems(config: Pick<Config, "watch">, minEveryMs: number, file: string): ConfigProblem[] {
  if (!config.watch) return [];
  const { everyMs } = watchTiming(config.watch);
  if (everyMs >= minEveryMs) return [];
  const message =
    `\`watch.every\` is \`${config.watch.every}\`: rechecks are at least \`${formatDuration(minEveryMs)}\` apart ` +
    `on this deployment; use \`every: ${formatDuration(minEveryMs)}\` or more`;
  return [{ file, path: "watch.every", message }];
}

/** What a finished triage means for the issue's watch. */
export type WatchStep = { kind: "start"; timing: WatchTiming } | { kind: "stop"; reason: string } | { kind: "keep" };

/**
 * Whether to start, keep or stop watching an issue after a triage. Pure.
 * - the issue is closed (now or before), or every check passes: stop (nothing left to wait for);
 * - `watch:` is configured and the issue stays open: start (a scheduler keeps an existing watch's end);
 * - otherwise keep whatever there is (a watch started by hand goes on until its end).
 */
export function decideWatch(input: {
  watch: Config["watch"] | undefined;
  verdict: "pass" | "fail" | "incomplete" | "nothing-to-check";
  /** The parent is closed after this triage (by it, or before). */
  closed: boolean;
}): WatchStep {
  if (input.closed) return { kind: "stop", reason: "the issue is closed" };
  if (input.verdict === "pass") return { kind: "stop", reason: "every check passes" };
  if (input.watch) return { kind: "start", timing: watchTiming(input.watch) };
  return { kind: "keep" };
}

/** Whether a scheduled recheck should run, or the watch end, from the issue as GitHub has it now. Pure. */
export function decideRecheck(input: {
  now: number;
  untilMs: number;
  issue: { state: string; labels: string[] };
  triggerLabels: string[];
}): { run: true } | { run: false; reason: string } {
  if (input.now >= input.untilMs) return { run: false, reason: "the watch period ended" };
  if (input.issue.state === "closed") return { run: false, reason: "the issue is closed" };
  const labels = input.issue.labels.map((l) => l.toLowerCase());
  if (!input.triggerLabels.some((l) => labels.includes(l.toLowerCase())))
    return { run: false, reason: "the trigger label was removed" };
  return { run: true };
}
