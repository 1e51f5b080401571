import { readFile } from "node:fs/promises";
import { createProbot, ProbotOctokit } from "probot";
import type { Logger } from "pino";
import { defaultDeps } from "../app-deps.js";
import { githubTimeoutMs, timedFetch } from "../github/timed-fetch.js";
import { createApp } from "../index.js";
import { createMetrics } from "../server/metrics.js";

/** The events the app handles; any other event ends the step successfully without doing anything. */
export const ACTION_EVENTS = ["issues", "issue_comment"];

export interface ActionResult {
  exitCode: number;
  /** One line for the job log and its annotation. */
  summary: string;
}

/**
 * Runs the app once on the workflow's event, with the workflow's token: Probot 14's `githubToken` option and
 * `probot.receive()`, no GitHub App and no server. Google credentials come from the workflow (ADC, e.g. set up by
 * google-github-actions/auth). Fails (exit code 1) when a handler throws or the triage stops at a configuration error.
 */
export async function runAction(env: NodeJS.ProcessEnv = process.env, options: { log?: Logger; Octokit?: typeof ProbotOctokit } = {}): Promise<ActionResult> {
  const token = env.INPUT_GITHUB_TOKEN || env.GITHUB_TOKEN;
  const name = env.GITHUB_EVENT_NAME ?? "";
  if (!token) return { exitCode: 1, summary: "no token: pass `github-token` (default: the workflow's GITHUB_TOKEN)" };
  if (!ACTION_EVENTS.includes(name)) return { exitCode: 0, summary: `event \`${name}\` is not handled (only ${ACTION_EVENTS.join(", ")}): nothing to do` };
  if (!env.GITHUB_EVENT_PATH) return { exitCode: 1, summary: "GITHUB_EVENT_PATH is not set: run this inside a GitHub Actions job" };
  const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8"));

  const metrics = createMetrics({ defaultMetrics: false });
  const probot = createProbot({
    env: { LOG_LEVEL: env.LOG_LEVEL || "info", LOG_FORMAT: env.LOG_FORMAT, LOG_LEVEL_IN_STRING: env.LOG_LEVEL_IN_STRING },
    overrides: {
      githubToken: token,
      baseUrl: env.GITHUB_API_URL || "https://api.github.com",
      request: { fetch: timedFetch(githubTimeoutMs(env)) },
      ...(options.log ? { log: options.log } : {}),
      ...(options.Octokit ? { Octokit: options.Octokit } : {}),
    },
  });
  // The workflow token writes as github-actions[bot]: the app trusts its own markers only from that login.
  // One triage per workflow run: REST unless CONFIG_TRIAGE_GITHUB_API=graphql asks for the batched transport.
  const deps = defaultDeps(
    { ...env, APP_ID: "", CONFIG_TRIAGE_BOT_LOGIN: env.CONFIG_TRIAGE_BOT_LOGIN || "github-actions[bot]", CONFIG_TRIAGE_GITHUB_API: env.CONFIG_TRIAGE_GITHUB_API || "rest" },
    metrics,
  );
  await probot.load(createApp(deps));
  try {
    await probot.receive({ id: env.GITHUB_RUN_ID || "action", name: name as "issues", payload });
  } catch (error) {
    const errors = error instanceof AggregateError ? error.errors : [error];
    const message = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ");
    return { exitCode: 1, summary: `the triage failed: ${message}` };
  }
  const outcomes = (await metrics.triages.get()).values.filter((v) => v.value > 0).map((v) => String(v.labels.outcome));
  if (outcomes.includes("config-error")) {
    return { exitCode: 1, summary: "the triage stopped at a configuration error; the issue's comment names the file, line and fix" };
  }
  return { exitCode: 0, summary: outcomes.length ? `triage finished: ${outcomes.join(", ")}` : "nothing to triage for this event" };
}
