/**
 * The app on a GitHub stand-in: a Probot whose Octokit talks to `startGitHubStandIn` over loopback, Cloud Run from the
 * gRPC emulator, and every log line captured (the production JSON logger at `trace`, written into an array). For the
 * tests that look at everything the app sends out: requests (stand-in) and logs (lines).
 */
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import { createCloudRunClients, type CloudRunClients } from "../../src/adapters/cloud-run/create-clients.js";
import { fetchLiveState } from "../../src/adapters/cloud-run/fetch-live-state.js";
import { createApp } from "../../src/entry/create-app.js";
import type { ProjectPolicy } from "../../src/domain/config/allowed-projects.js";
import type { RateLimitStore } from "../../src/use-cases/ports/rate-limit-store.js";
import { loadBuiltInTemplates } from "../../src/rendering/templates.js";
import { createLogger } from "../../src/entry/server/create-logger.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../../dev/cloud-run-emulator.js";
import { startGitHubStandIn, type GitHubStandIn, type StandInIssue } from "../../dev/github-standin.js";
import { decodeNodeId, nodeId } from "../../dev/github-ids.js";
import { privateKey } from "./probot.js";
import { examplePayload, withStandInIds } from "../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioServices } from "../../dev/scenario.js";

export const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;

export interface StandInApp {
  standIn: GitHubStandIn;
  emulator: CloudRunEmulator;
  clients: CloudRunClients;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  /** A fresh Probot with the app (fresh per-process state: rate-limit counts, queues). */
  probot(o?: { rateLimits?: RateLimitStore; transport?: "graphql" | "rest"; allowedProjects?: ProjectPolicy }): Probot;
  close(): Promise<void>;
}

export async function startStandInApp(): Promise<StandInApp> {
  const standIn = await startGitHubStandIn();
  const emulator = await startCloudRunEmulator(scenarioServices());
  const clients = createCloudRunClients(emulator.address);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const log = createLogger({ logFormat: "json", logLevel: "trace" }, sink)!;
  return {
    standIn,
    emulator,
    clients,
    logs,
    probot(o = {}) {
      const probot = new Probot({
        appId: standIn.appId,
        privateKey,
        log,
        baseUrl: `${standIn.url}/api/v3`,
        Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
          ...options,
          retry: { enabled: false },
          throttle: { enabled: false },
        })),
      });
      void probot.load(
        createApp({
          builtInTemplates: loadBuiltInTemplates(),
          fetchLive: (targets) => fetchLiveState(clients, targets, { timeoutMs: 5000 }),
          identity: { appId: standIn.appId },
          rateLimits: o.rateLimits,
          transport: o.transport,
          allowedProjects: o.allowedProjects,
        }),
      );
      return probot;
    },
    async close() {
      await clients.close();
      await emulator.close();
      await standIn.close();
    },
  };
}

/** The scenario repository on the stand-in: config, collaborators (`maintainer` has triage), the services as given. */
export function addScenarioRepo(
  app: StandInApp,
  o: { config?: string; files?: Record<string, string>; fixed?: boolean } = {},
) {
  app.standIn.addRepo(FULL, {
    files: { ".github/config-triage.yml": o.config ?? scenarioConfigYaml, ...o.files },
    collaborators: { maintainer: "triage", writer: "write" },
    installationId: 1,
  });
  for (const s of scenarioServices({ fixed: o.fixed }).services) app.emulator.setService(s);
}

function withRepo(payload: Record<string, any>, issue: StandInIssue) {
  const [owner, repo] = FULL.split("/");
  // The issue's node id packs its repository's id (see github-ids.ts).
  const repoId = decodeNodeId(issue.node_id)!.ids[0];
  withStandInIds(payload, { id: repoId, node_id: nodeId("R", repoId) }, issue);
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.repository.name = repo;
  payload.repository.full_name = FULL;
  payload.repository.owner.login = owner;
  Object.assign(payload.issue, {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    html_url: `https://github.com/${FULL}/${issue.pull_request ? "pull" : "issues"}/${issue.number}`,
    performed_via_github_app: issue.performed_via_github_app,
    user: { ...payload.issue.user, login: issue.user.login, type: issue.user.type },
  });
  // A pull request's comment events say so in `issue.pull_request`.
  if (issue.pull_request)
    payload.issue.pull_request = { url: `https://api.github.com/repos/${FULL}/pulls/${issue.number}`, merged_at: null };
  else delete payload.issue.pull_request;
  return payload;
}

/** `issues.labeled` for a stand-in issue, the label added by `sender`. */
export function labeledEvent(
  issue: StandInIssue,
  o: { label?: string; sender?: string; senderType?: "User" | "Bot" } = {},
) {
  const payload = withRepo(examplePayload("issues", "labeled"), issue);
  payload.label.name = o.label ?? "triage:config";
  payload.sender = { ...payload.sender, login: o.sender ?? "maintainer", type: o.senderType ?? "User" };
  return { id: `delivery-${Math.random()}`, name: "issues" as const, payload: payload as any };
}

/** `issue_comment.created` for a stand-in issue and comment. */
export function commentEvent(
  issue: StandInIssue,
  comment: { id: number; node_id?: string; body: string; login?: string },
) {
  const payload = withRepo(examplePayload("issue_comment", "created"), issue);
  const login = comment.login ?? "maintainer";
  if (comment.node_id) payload.comment.node_id = comment.node_id;
  Object.assign(payload.comment, {
    id: comment.id,
    body: comment.body,
    performed_via_github_app: null,
    user: { ...payload.comment.user, login, type: "User" },
  });
  payload.sender = { ...payload.sender, login, type: "User" };
  return { id: `delivery-${Math.random()}`, name: "issue_comment" as const, payload: payload as any };
}

/** Adds `body` as a comment by `login` on the stand-in and returns the event for it. */
export function postCommand(app: StandInApp, issue: StandInIssue, body: string, login = "maintainer") {
  const comment = app.standIn.addComment(FULL, issue.number, { body, user: { login, type: "User" } });
  return commentEvent(app.standIn.issue(FULL, issue.number)!, {
    id: comment.id,
    node_id: comment.node_id,
    body,
    login,
  });
}

/**
 * `issue_comment.edited` (GitHub's real example) for a stand-in comment: `author` wrote it, `editor` (the webhook's
 * `sender`) changed its body from `from` to `body`.
 */
export function editedCommentEvent(
  issue: StandInIssue,
  comment: { id: number; body: string; from: string; author: string; editor: string; editorType?: "User" | "Bot" },
) {
  const payload = withRepo(examplePayload("issue_comment", "edited"), issue);
  Object.assign(payload.comment, {
    id: comment.id,
    body: comment.body,
    performed_via_github_app: null,
    user: { ...payload.comment.user, login: comment.author, type: "User" },
  });
  payload.changes = { body: { from: comment.from } };
  payload.sender = { ...payload.sender, login: comment.editor, type: comment.editorType ?? "User" };
  return { id: `delivery-${Math.random()}`, name: "issue_comment" as const, payload: payload as any };
}
