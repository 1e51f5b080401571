/**
 * Webhook payloads for the app, from GitHub's real examples (`@octokit/webhooks-examples`) with today's ids (see
 * `github-ids.ts`): the demo, the benchmark and the tests deliver these to the app.
 */
import { createRequire } from "node:module";
import { FIRST_IDS, nodeId, type NodeKind } from "./github-ids.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}>;

/** The installation every example payload carries. */
export const INSTALLATION_ID = 77;

/**
 * A real example payload from @octokit/webhooks-examples, deep-copied, with an installation added and the ids of
 * today's GitHub: the examples date from 2019 (issue ids of 444 million, node ids like `MDU6SXNzdWU0NDQ1MDAwNDE=`);
 * github.com's issue and comment ids are past 3.5 billion now, labels past 2^31, repositories past 1 billion, and
 * node ids have the `I_kwDO…` format.
 */
export function examplePayload(event: string, action: string): Record<string, any> {
  const found = examples.find((e) => e.name === event)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example payload for ${event}.${action}`);
  const payload = structuredClone(found) as Record<string, any>;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  const repoId = FIRST_IDS.repo + 900_000;
  withIds(payload.repository, "R", repoId);
  withIds(payload.issue, payload.issue?.pull_request ? "PR" : "I", repoId, FIRST_IDS.issue + 900_000);
  withIds(payload.pull_request, "PR", repoId, FIRST_IDS.issue + 900_001);
  withIds(payload.comment, "IC", repoId, FIRST_IDS.comment + 900_000);
  withIds(payload.label, "LA", repoId, FIRST_IDS.label + 900_000);
  for (const [i, label] of (payload.issue?.labels ?? []).entries())
    withIds(label, "LA", repoId, FIRST_IDS.label + 900_001 + i);
  return payload;
}

function withIds(object: Record<string, any> | undefined, kind: NodeKind, repoId: number, id?: number): void {
  if (!object || typeof object !== "object") return;
  object.id = id ?? repoId;
  object.node_id = id === undefined ? nodeId(kind, repoId) : nodeId(kind, repoId, id);
}

/** The payload's repository and issue as the stand-in holds them (ids and node ids), so both name the same objects. */
export function withStandInIds(
  payload: Record<string, any>,
  repo: { id: number; node_id: string },
  issue?: { id: number; node_id: string },
) {
  Object.assign(payload.repository, { id: repo.id, node_id: repo.node_id });
  if (issue) Object.assign(payload.issue, { id: issue.id, node_id: issue.node_id });
  return payload;
}

/** An `issues.labeled` payload for the given repository and issue, from GitHub's real example. */
export function labeledPayload(o: {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  label: string;
  sender?: string;
}) {
  const payload = examplePayload("issues", "labeled");
  payload.repository.name = o.repo;
  payload.repository.full_name = `${o.owner}/${o.repo}`;
  payload.repository.owner.login = o.owner;
  Object.assign(payload.issue, {
    number: o.number,
    title: o.title,
    body: o.body,
    html_url: `https://github.com/${o.owner}/${o.repo}/issues/${o.number}`,
    state: "open",
  });
  payload.label.name = o.label;
  if (o.sender) payload.sender.login = o.sender;
  return payload;
}

/** The sender of GitHub's `issues.labeled` example. */
export const EXAMPLE_SENDER = "Codertocat";
