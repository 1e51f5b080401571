import { Octokit } from "@octokit/rest";
import { defaultDeps, secretVerifier } from "../app-deps.js";
import { createCloudRunClients } from "../cloud-run/create-clients.js";
import { fetchLiveState } from "../diagnosis/fetch-live-state.js";
import type { ServiceTarget } from "../diagnosis/types.js";
import { readOnlyIssueGitHub } from "../github/readonly-issue-github.js";
import type { ParentIssue } from "../plan/build-plan.js";
import { renderDiagnosisReport } from "../render/render-diagnosis.js";
import { decideTriage, type TriageDecision } from "../triage/run-triage.js";
import { UsageError, type CliIO } from "./cli-io.js";
import { formatProblem } from "./format-check.js";

export interface PlanOptions {
  /** `OWNER/REPO#N` */
  issue: string;
  format: "text" | "json";
}

export function parseIssueRef(ref: string): { owner: string; repo: string; number: number } {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)#(\d+)$/.exec(ref.trim());
  if (!m) throw new UsageError(`--issue ${ref}: expected OWNER/REPO#NUMBER, e.g. --issue acme/api#930`);
  return { owner: m[1], repo: m[2], number: Number(m[3]) };
}

/** The GitHub API base URL: GITHUB_API_URL (as in Actions), else GHE_HOST like the app, else api.github.com. */
export function githubBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/$/, "");
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3`;
  return "https://api.github.com";
}

/** Plain text of what a triage would write. */
export function formatDecision(parent: ParentIssue, decision: TriageDecision): string {
  const where = `${parent.owner}/${parent.repo}#${parent.number}`;
  if (decision.kind === "config-error") {
    return [
      `The triage of ${where} would stop at its configuration:`,
      ...decision.problems.map((p) => `  ${formatProblem(p)}`),
      "",
      `Would ${decision.memory.comment ? "update its comment" : "comment"} with these problems, and write nothing else.`,
    ].join("\n");
  }
  const { plan, memory } = decision;
  const lines = [`Dry run of the triage of ${where} ("${parent.title}"). Nothing was written.`, "", renderDiagnosisReport(decision.diagnosis), ""];
  lines.push(`Would ${memory.comment ? `update its diagnosis comment (${memory.comment.id})` : "comment the diagnosis above"}.`);
  if (plan.create.length) {
    lines.push(`Would open ${plan.create.length} follow-up issue${plan.create.length === 1 ? "" : "s"}, each linked as a sub-issue:`);
    for (const f of plan.create) {
      lines.push(`  - [${f.template}] ${f.title}${f.labels.length ? `  (labels: ${f.labels.join(", ")})` : ""}`);
    }
  } else lines.push("Would open no follow-up issue.");
  for (const e of plan.existing) lines.push(`  already there: #${e.number} [${e.template}]${e.linked ? "" : " (would re-link it as a sub-issue)"}`);
  lines.push(plan.close ? "Would close the issue as completed." : "Would leave the issue open.");
  return lines.join("\n");
}

/**
 * `config-triage plan --issue OWNER/REPO#N`: a dry run of the triage against a real repository, with GITHUB_TOKEN.
 * Reads the issue, the config, the templates and the live state; prints the diagnosis and what it would write.
 * The GitHub client it uses cannot write (its write methods throw).
 */
export async function plan(opts: PlanOptions, io: CliIO): Promise<number> {
  const ref = parseIssueRef(opts.issue);
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) throw new UsageError("plan reads the repository with a token: set GITHUB_TOKEN (e.g. GITHUB_TOKEN=$(gh auth token))");
  const quiet = () => {};
  const octokit = new Octokit({
    auth: token,
    baseUrl: githubBaseUrl(io.env),
    userAgent: "config-triage-cli",
    // Failed requests are reported by the command itself (a 404 is often expected: no templates folder).
    log: { debug: quiet, info: quiet, warn: (message: string) => io.stderr(`config-triage: ${message}\n`), error: quiet },
  });
  let issue;
  try {
    issue = (await octokit.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number })).data;
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new UsageError(
      status === 404
        ? `${opts.issue}: no such issue, or the token may not read ${ref.owner}/${ref.repo}`
        : status === 401
          ? "GITHUB_TOKEN was refused (401): it is invalid or expired"
          : `could not read ${opts.issue}: ${(error as Error).message}`,
    );
  }
  const parent: ParentIssue = { ...ref, title: issue.title, body: issue.body ?? null, url: issue.html_url };
  const gh = readOnlyIssueGitHub(octokit, ref.owner, ref.repo, ref.number);
  const clients = createCloudRunClients(io.env.CLOUD_RUN_EMULATOR_HOST ?? "");
  const timeoutMs = Number(io.env.CLOUD_RUN_TIMEOUT_MS) || 15_000;
  const verifySecrets = secretVerifier(io.env, timeoutMs);
  const deps = {
    ...defaultDeps(io.env),
    fetchLive: (targets: ServiceTarget[]) => fetchLiveState(clients, targets, { timeoutMs }),
    fetchSecrets: verifySecrets,
  };
  let decision: TriageDecision;
  try {
    decision = await decideTriage(gh, parent, deps);
  } finally {
    await Promise.all([clients.close(), verifySecrets?.close()]);
  }
  if (opts.format === "json") {
    const { memory, ...rest } = decision;
    io.stdout(`${JSON.stringify({ issue: opts.issue, ...rest, existingComment: memory.comment?.id ?? null }, null, 2)}\n`);
  } else io.stdout(`${formatDecision(parent, decision)}\n`);
  return decision.kind === "planned" ? 0 : 2;
}
