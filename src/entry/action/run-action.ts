import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Octokit } from "@octokit/rest";
import { createProbot, ProbotOctokit } from "probot";
import { mapStrings, markerSigner, signMarkersPlugin } from "./sign-markers.js";
import type { Logger } from "pino";
import { wireApp } from "../wire-app.js";
import { readAppSettings } from "../read-settings.js";
import type { AppWiring } from "../../use-cases/app-wiring.js";
import { describeWrites, planResult } from "../cli/plan.js";
import { formatProblemAnnotation } from "../cli/format-check.js";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { validatePullRequest } from "../../use-cases/check-pull-request.js";
import { withConfigPath } from "../../adapters/github/issue-github-for.js";
import { readOnlyIssueGitHub } from "../../adapters/github/readonly-issue-github.js";
import { timedFetch } from "../../adapters/github/timed-fetch.js";
import { createApp } from "../create-app.js";
import { renderDiagnosisReport } from "../../rendering/render-diagnosis.js";
import { renderProblemsComment } from "../../rendering/render-problems.js";
import { readPullRequestFiles } from "../../adapters/github/read-pull-request-files.js";
import { probeHealth } from "../../adapters/cloud-run/probe-health.js";
import { decideTriage, recall } from "../../use-cases/triage/run-triage.js";

/** The events the Action handles; any other event ends the step successfully without doing anything. */
export const ACTION_EVENTS = ["issues", "issue_comment", "pull_request"];
const PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened"];

/** The Action's outputs (action.yml `outputs`), as written to `$GITHUB_OUTPUT`. */
export interface ActionOutputs {
  /** pass, fail, incomplete, nothing-to-check, config-error, error; valid or invalid for a pull request; none. */
  verdict: string;
  /** The diagnosis comment's URL, or empty (dry run, nothing triaged). */
  "comment-url": string;
  /** The issue's follow-up issue numbers, as a JSON array. */
  "follow-ups": string;
}

export interface ActionResult {
  exitCode: number;
  /** One line for the job log and its annotation. */
  summary: string;
  outputs: ActionOutputs;
  /** Markdown for the job summary (`$GITHUB_STEP_SUMMARY`); empty for nothing. */
  stepSummary: string;
  /** Workflow commands (`::error file=…`) that annotate lines of the config or templates. */
  annotations: string[];
}

export interface ActionInputs {
  githubToken: string;
  configPath: string;
  dryRun: boolean;
}

/**
 * An input as the runner passes it: `INPUT_` and the name upper-cased with its hyphens kept (`INPUT_CONFIG-PATH`).
 * The underscore spelling is accepted too, for runs by hand (`INPUT_CONFIG_PATH`).
 */
export function actionInput(env: NodeJS.ProcessEnv, name: string): string {
  const key = `INPUT_${name.toUpperCase()}`;
  return (env[key] ?? env[key.replace(/-/g, "_")] ?? "").trim();
}

/** The inputs, or what is wrong with them. `dry-run` takes the YAML booleans `getBooleanInput` takes. */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs | { error: string } {
  const dryRun = actionInput(env, "dry-run") || "false";
  if (!["true", "True", "TRUE", "false", "False", "FALSE"].includes(dryRun)) {
    return { error: `input \`dry-run\` is "${dryRun}": use true or false` };
  }
  const configPath = actionInput(env, "config-path") || CONFIG_PATH;
  if (configPath.startsWith("/") || configPath.split("/").includes("..")) {
    return {
      error: `input \`config-path\` is "${configPath}": give a path inside the repository, e.g. ${CONFIG_PATH}`,
    };
  }
  return {
    githubToken: actionInput(env, "github-token") || env.GITHUB_TOKEN || "",
    configPath,
    dryRun: dryRun.toLowerCase() === "true",
  };
}

const NONE: ActionOutputs = { verdict: "none", "comment-url": "", "follow-ups": "[]" };

function done(
  exitCode: number,
  summary: string,
  more: Partial<Omit<ActionResult, "exitCode" | "summary">> = {},
): ActionResult {
  return { exitCode, summary, outputs: NONE, stepSummary: "", annotations: [], ...more };
}

/** What the step says when the `marker-key` input is missing, with the commands that set it up. */
export const MISSING_KEY =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression a person pastes
  "no `marker-key`: pass `marker-key: ${{ secrets.CONFIG_TRIAGE_MARKER_KEY }}` after creating the secret with " +
  "`openssl rand -hex 32 | gh secret set CONFIG_TRIAGE_MARKER_KEY`. Every workflow writes as github-actions[bot]; " +
  "the key lets config-triage trust only the state markers it wrote itself";

/**
 * Runs the app once on the workflow's event, with the workflow's token: Probot 14's `githubToken` option and
 * `probot.receive()`, no GitHub App and no server. Google credentials come from the workflow (ADC, e.g. set up by
 * google-github-actions/auth). Fails (exit code 1) when a handler throws, the triage stops at a configuration error,
 * or a pull request's config or templates have problems. With `dry-run`, it diagnoses and plans the event's issue
 * and writes nothing. Returns the outputs and the job summary; `main.ts` writes them.
 */
export async function runAction(
  env: NodeJS.ProcessEnv = process.env,
  options: { log?: Logger; Octokit?: typeof ProbotOctokit } = {},
): Promise<ActionResult> {
  const inputs = readInputs(env);
  if ("error" in inputs) return done(1, inputs.error);
  const read = readAppSettings(env);
  if (!read.ok) return done(1, read.problems.join("; "));
  const settings = read.settings;
  const name = env.GITHUB_EVENT_NAME ?? "";
  if (!inputs.githubToken) return done(1, "no token: pass `github-token` (default: the workflow's GITHUB_TOKEN)");
  if (!ACTION_EVENTS.includes(name))
    return done(0, `event \`${name}\` is not handled (only ${ACTION_EVENTS.join(", ")}): nothing to do`);
  if (!env.GITHUB_EVENT_PATH) return done(1, "GITHUB_EVENT_PATH is not set: run this inside a GitHub Actions job");
  const markerKey = actionInput(env, "marker-key");
  // Issues and comments carry the app's state markers; a pull request's check does not read any.
  if (!markerKey && name !== "pull_request") return done(1, MISSING_KEY);
  const raw = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8"));
  // Other workflows write as github-actions[bot] too: the app's markers are trusted only with the Action's signature.
  // (A pull request's check runs without a key: a random one then, which no marker on GitHub carries.)
  const signer = markerSigner(
    markerKey || randomBytes(32).toString("hex"),
    env.GITHUB_REPOSITORY || raw?.repository?.full_name || "",
  );
  const payload = mapStrings(raw, signer.verify);

  // The triage tells its outcome to this observer: the step's `verdict` output and exit code come from it.
  const outcomes: string[] = [];
  const probot = createProbot({
    env: {
      LOG_LEVEL: (actionInput(env, "log-level") || env.LOG_LEVEL || "info") as "info",
      LOG_FORMAT: env.LOG_FORMAT,
      LOG_LEVEL_IN_STRING: env.LOG_LEVEL_IN_STRING,
    },
    overrides: {
      githubToken: inputs.githubToken,
      baseUrl: env.GITHUB_API_URL || "https://api.github.com",
      request: { fetch: timedFetch(settings.githubTimeoutMs) },
      ...(options.log ? { log: options.log } : {}),
      Octokit: (options.Octokit ?? ProbotOctokit).plugin(signMarkersPlugin(signer)),
    },
  });
  // The workflow token writes as github-actions[bot]: the app trusts its own markers only from that login.
  // One triage per workflow run: REST unless CONFIG_TRIAGE_GITHUB_API=graphql asks for the batched transport.
  const deps: AppWiring = {
    ...wireApp({
      ...settings,
      appId: undefined,
      botLogin: settings.botLogin ?? "github-actions[bot]",
      githubApi: settings.githubApi ?? "rest",
    }),
    observer: { triageStarted: () => (outcome) => outcomes.push(outcome) },
    configPath: inputs.configPath,
    // Only a login the workflow configures: the token's own is not an app's (GET /app answers nothing for it).
    ownIssuesBy: settings.botLogin,
    // In a workflow, Google credentials are the repository's own (its workflow authenticates): no operator's
    // identity is lent out, so CONFIG_TRIAGE_ALLOWED_PROJECTS does not apply.
    allowedProjects: undefined,
  };
  const octokit = (await probot.auth()) as unknown as Octokit;
  const [owner, repo] = String(payload.repository?.full_name ?? "/").split("/");

  if (name === "pull_request") {
    const pr = payload.pull_request;
    if (!PULL_REQUEST_ACTIONS.includes(payload.action) || !pr)
      return done(0, `pull_request.${payload.action}: nothing to check`);
    const target = { owner, repo, number: pr.number, sha: pr.head.sha };
    const prFiles = await readPullRequestFiles(octokit as never, target, inputs.configPath);
    if (!prFiles)
      return done(
        0,
        `pull request #${pr.number} changes neither ${inputs.configPath} nor a template: nothing to check`,
      );
    const checked = await validatePullRequest(prFiles, deps.builtInTemplates, inputs.configPath);
    const files = checked.files.map((f) => `\`${f}\``).join(", ");
    if (!checked.problems.length) {
      const stepSummary =
        "### ✅ config-triage: the configuration is valid\n\n" +
        `Checked ${files} as pull request #${pr.number} has them.\n`;
      return done(0, `pull request #${pr.number}: ${checked.files.join(", ")} valid`, {
        outputs: { ...NONE, verdict: "valid" },
        stepSummary,
      });
    }
    const count = `${checked.problems.length} problem${checked.problems.length === 1 ? "" : "s"}`;
    return done(
      1,
      `pull request #${pr.number}: ${count} in the config-triage configuration; merging it would break triage`,
      {
        outputs: { ...NONE, verdict: "invalid" },
        stepSummary: `Pull request #${pr.number} (${files}):\n\n${renderProblemsComment(checked.problems)}\n`,
        annotations: checked.problems.map(formatProblemAnnotation),
      },
    );
  }

  const issue = payload.issue;
  if (!issue || issue.pull_request) return done(0, "not an issue: nothing to triage");
  const botLogin = settings.botLogin;
  const gh = () =>
    withConfigPath(readOnlyIssueGitHub(octokit, owner, repo, issue.number, botLogin), octokit, inputs.configPath);
  const parent = {
    owner,
    repo,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    url: issue.html_url,
    state: issue.state,
  };

  if (inputs.dryRun) {
    const decision = await decideTriage(gh(), parent, { ...deps, probeHealth });
    const result = planResult(`${owner}/${repo}#${issue.number}`, parent, decision);
    if (decision.kind === "config-error") {
      return done(1, "dry run: the triage would stop at a configuration error", {
        outputs: { ...NONE, verdict: "config-error" },
        stepSummary: `### Dry run: nothing was written\n\n${renderProblemsComment(decision.problems)}\n`,
        annotations: decision.problems.map(formatProblemAnnotation),
      });
    }
    const writes = describeWrites(parent, decision).map((l) => (l.startsWith("  ") ? `  ${l.trim()}` : `- ${l}`));
    const report = renderDiagnosisReport(decision.diagnosis, { live: decision.live, checks: decision.checks });
    return done(
      0,
      `dry run: ${result.verdict}; the triage would ${result.wouldChange ? "write to the issue" : "write nothing"}`,
      {
        outputs: {
          ...NONE,
          verdict: decision.diagnosis.verdict,
          "follow-ups": JSON.stringify(decision.memory.followUps.map((f) => f.number)),
        },
        stepSummary: `### Dry run: nothing was written\n\n${writes.join("\n")}\n\n${report}\n`,
      },
    );
  }

  await probot.load(createApp(deps));
  try {
    await probot.receive({ id: env.GITHUB_RUN_ID || "action", name: name as "issues", payload });
  } catch (error) {
    const errors = error instanceof AggregateError ? error.errors : [error];
    const message = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ");
    return done(1, `the triage failed: ${message}`, { outputs: { ...NONE, verdict: "error" } });
  }
  if (!outcomes.length) return done(0, "nothing to triage for this event");
  // What the triage left on the issue: its comment (link and text for the job summary) and its follow-ups.
  const reader = gh();
  const [comments, subIssues] = await Promise.all([reader.listComments(), reader.listSubIssues()]);
  const memory = recall(comments, subIssues, deps.identity, issue.number);
  const server = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/$/, "");
  const commentUrl = memory.comment
    ? `${server}/${owner}/${repo}/issues/${issue.number}#issuecomment-${memory.comment.id}`
    : "";
  const outputs = {
    verdict: outcomes[0],
    "comment-url": commentUrl,
    "follow-ups": JSON.stringify([...new Set(memory.followUps.map((f) => f.number))]),
  };
  const stepSummary = memory.comment
    ? `${memory.comment.body ?? ""}\n\n[The comment on #${issue.number}](${commentUrl})\n`
    : "";
  if (outcomes.includes("config-error")) {
    return done(1, "the triage stopped at a configuration error; the issue's comment names the file, line and fix", {
      outputs,
      stepSummary,
    });
  }
  return done(0, `triage finished: ${outcomes.join(", ")}`, { outputs, stepSummary });
}
