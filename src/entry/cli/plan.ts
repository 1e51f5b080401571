import { probeHealth } from "../../adapters/cloud-run/probe-health.js";
import { Octokit } from "@octokit/rest";
import { wireApp, secretVerifier } from "../wire-app.js";
import { fetchLiveState } from "../../adapters/cloud-run/fetch-live-state.js";
import type { ServiceTarget } from "../../domain/diagnosis/live-state.js";
import { readOnlyIssueGitHub } from "../../adapters/github/readonly-issue-github.js";
import type { ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import { renderDiagnosisReport } from "../../rendering/render-diagnosis.js";
import { decideTriage, type TriageDecision } from "../../use-cases/triage/run-triage.js";
import { readCliSettings, UsageError, type CliIO } from "./cli-io.js";
import { githubBaseUrl } from "./read-local-config.js";
import { cloudRunClientsFor } from "./check.js";
import { EXIT, formatCheck, formatProblem } from "./format-check.js";

export const PLAN_FORMATS = ["text", "json", "markdown"] as const;

export interface PlanOptions {
  /** `OWNER/REPO#N` */
  issue: string;
  /** `text`: the checks and what would be written; `json`: the same as data; `markdown`: the diagnosis as commented. */
  format: (typeof PLAN_FORMATS)[number];
}

export function parseIssueRef(ref: string): { owner: string; repo: string; number: number } {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)#(\d+)$/.exec(ref.trim());
  if (!m) throw new UsageError(`--issue ${ref}: expected OWNER/REPO#NUMBER, e.g. --issue acme/api#930`);
  return { owner: m[1], repo: m[2], number: Number(m[3]) };
}

/**
 * Whether the triage would write anything: open or re-link follow-ups, close the issue, or comment a diagnosis that
 * is not the one its comment already records (a first comment, or problems that changed).
 */
export function wouldChange(
  parent: ParentIssue & { state?: string },
  decision: Extract<TriageDecision, { kind: "planned" }>,
): boolean {
  const { plan, memory, diagnosis } = decision;
  const recorded = memory.state?.problems;
  const now = diagnosis.problems.map((p) => p.key);
  const sameProblems =
    recorded !== undefined && recorded.length === now.length && now.every((k) => recorded.includes(k));
  return (
    plan.create.length > 0 ||
    plan.link.length > 0 ||
    (plan.close && parent.state !== "closed") ||
    !memory.comment ||
    !sameProblems
  );
}

/** What a triage would write, as data: `plan --format json` (the diagnosis's problems, never the config). */
export function planResult(ref: string, parent: ParentIssue & { state?: string }, decision: TriageDecision) {
  if (decision.kind === "config-error") {
    return {
      issue: ref,
      verdict: "config-error" as const,
      exitCode: EXIT.cannotCheck,
      configProblems: decision.problems,
    };
  }
  const { diagnosis, plan, memory } = decision;
  const changes = wouldChange(parent, decision);
  return {
    issue: ref,
    verdict: diagnosis.verdict,
    exitCode: changes ? 1 : 0,
    wouldChange: changes,
    comment: memory.comment ? { action: "update", id: memory.comment.id } : { action: "create" },
    createFollowUps: plan.create.map((f) => ({ template: f.template, title: f.title, labels: f.labels })),
    existingFollowUps: plan.existing.map((e) => ({ number: e.number, template: e.template, relink: !e.linked })),
    close: plan.close && parent.state !== "closed",
    problems: diagnosis.problems.map((p) => ({
      key: p.key,
      severity: p.severity,
      environment: p.target.environment,
      service: p.target.service,
      what: p.what,
      why: p.why,
      fix: p.fix,
    })),
  };
}

/** Plain text of what a triage would write: the checks as `check` prints them, then the writes, one line each. */
export function formatDecision(parent: ParentIssue & { state?: string }, decision: TriageDecision): string {
  const where = `${parent.owner}/${parent.repo}#${parent.number}`;
  if (decision.kind === "config-error") {
    return [
      `The triage of ${where} would stop at its configuration:`,
      ...decision.problems.map((p) => `  ${formatProblem(p)}`),
      "",
      `Would ${decision.memory.comment ? "update its comment" : "comment"} with these problems, and write nothing ` +
        `else.`,
    ].join("\n");
  }
  const lines = [
    `Dry run of the triage of ${where} ("${parent.title}"). Nothing was written.`,
    "",
    formatCheck(decision.diagnosis, "table"),
    "",
  ];
  if (!wouldChange(parent, decision)) {
    lines.push("Would write nothing: the diagnosis comment already says this, and every follow-up is there.");
    return lines.join("\n");
  }
  lines.push(...describeWrites(parent, decision));
  lines.push("", `The comment as it would read: config-triage plan --format markdown --issue ${where}`);
  return lines.join("\n");
}

/** The writes a planned triage would make, one line each (`plan`'s text and the Action's dry-run summary). */
export function describeWrites(
  parent: ParentIssue & { state?: string },
  decision: Extract<TriageDecision, { kind: "planned" }>,
): string[] {
  const { plan, memory } = decision;
  const lines = [
    memory.comment ? `Would update its diagnosis comment (${memory.comment.id}).` : "Would comment the diagnosis.",
  ];
  if (plan.create.length) {
    lines.push(
      `Would open ${plan.create.length} follow-up issue${plan.create.length === 1 ? "" : "s"}, ` +
        "each linked as a sub-issue:",
    );
    for (const f of plan.create) {
      const details = [
        f.labels.length ? `labels: ${f.labels.join(", ")}` : "",
        f.blockedBy.length ? `blocked by: ${f.blockedBy.join(", ")}` : "",
        f.milestone ? `milestone: ${f.milestone.title}` : "",
        f.type ? `type: ${f.type.name}` : "",
      ].filter(Boolean);
      lines.push(`  - [${f.template}] ${f.title}${details.length ? `  (${details.join("; ")})` : ""}`);
      for (const note of f.notes) lines.push(`      ${note}; it would open without.`);
    }
  } else lines.push("Would open no follow-up issue.");
  for (const e of plan.existing)
    lines.push(`  already there: #${e.number} [${e.template}]${e.linked ? "" : " (would re-link it as a sub-issue)"}`);
  lines.push(
    plan.close && parent.state !== "closed" ? "Would close the issue as completed." : "Would leave the issue open.",
  );
  return lines;
}

/**
 * `config-triage plan --issue OWNER/REPO#N`: a dry run of the triage against a real repository, with GITHUB_TOKEN.
 * Reads the issue, the config, the templates and the live state; prints the diagnosis and what it would write.
 * Exit code: 0 it would write nothing, 1 it would write something, 2 it could not plan.
 * The GitHub client it uses cannot write (its write methods throw).
 */
export async function plan(opts: PlanOptions, io: CliIO): Promise<number> {
  const ref = parseIssueRef(opts.issue);
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token)
    throw new UsageError(
      "plan reads the repository with a token: set GITHUB_TOKEN (e.g. GITHUB_TOKEN=$(gh auth token))",
    );
  const settings = readCliSettings(io);
  const quiet = () => {};
  const octokit = new Octokit({
    auth: token,
    baseUrl: githubBaseUrl(io.env),
    userAgent: "config-triage-cli",
    // Failed requests are reported by the command itself (a 404 is often expected: no templates folder).
    log: {
      debug: quiet,
      info: quiet,
      warn: (message: string) => io.stderr(`config-triage: ${message}\n`),
      error: quiet,
    },
  });
  let issue: Awaited<ReturnType<typeof octokit.rest.issues.get>>["data"];
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
  const parent = { ...ref, title: issue.title, body: issue.body ?? null, url: issue.html_url, state: issue.state };
  const gh = readOnlyIssueGitHub(octokit, ref.owner, ref.repo, ref.number, settings.botLogin);
  const clients = cloudRunClientsFor(settings.cloudRun);
  const timeoutMs = settings.cloudRun.timeoutMs;
  const verifySecrets = secretVerifier(settings);
  const deps = {
    ...wireApp(settings),
    fetchLive: (targets: ServiceTarget[]) => fetchLiveState(clients, targets, { timeoutMs }),
    fetchSecrets: verifySecrets,
    // A person runs the CLI with their own Google credentials: no operator's identity is lent out, so the app's
    // CONFIG_TRIAGE_ALLOWED_PROJECTS does not apply.
    allowedProjects: undefined,
  };
  let decision: TriageDecision;
  try {
    decision = await decideTriage(gh, parent, { ...deps, probeHealth });
  } finally {
    await Promise.all([clients.close(), verifySecrets?.close()]);
  }
  const result = planResult(opts.issue, parent, decision);
  if (opts.format === "json") io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (opts.format === "markdown" && decision.kind === "planned") {
    const { diagnosis, live, checks } = decision;
    io.stdout(`${renderDiagnosisReport(diagnosis, { live, checks })}\n`);
  } else io.stdout(`${formatDecision(parent, decision)}\n`);
  return result.exitCode;
}
