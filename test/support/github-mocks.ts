/**
 * nock mocks of the GitHub requests many integration tests share: the installation token, and the reads of a REST
 * triage run (config, the issue's comments, the repository's templates, the issue's sub-issues).
 */
import nock from "nock";
import { INSTALLATION_ID } from "../../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml } from "../../dev/scenario.js";
import { DEFAULT_ISSUE_TYPES, scenarioMilestones } from "../../dev/scenario-structure.js";

export {
  addScenarioMilestones,
  DEFAULT_ISSUE_TYPES,
  milestoneJson,
  scenarioMilestones,
} from "../../dev/scenario-structure.js";

export const API = "https://api.github.com";
/** The scenario's repository as a REST path prefix. */
export const SCENARIO_REPO_PATH = `/repos/${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;

/** An installation token for the test installation, for every request of the test. */
export function mockInstallationToken(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", permissions: {} })
    .persist();
}

export interface TriageReads {
  /** The repository path (`/repos/owner/name`); the scenario's by default. */
  repo?: string;
  /** The issue; 930 by default. */
  number?: number;
  /**
   * The text of `.github/config-triage.yml`; the scenario's by default; `null` when the test mocks the config itself.
   */
  config?: string | null;
  /** The issue's comments; none by default. */
  comments?: object[];
  /** The issue's sub-issues; none by default. */
  subIssues?: object[];
}

/**
 * The reads of a REST triage run, each once: the config file, the issue's comments, the repository's templates folder
 * (absent: 404, so the built-in templates are used) and the issue's sub-issues.
 */
export function mockTriageReads(scope: nock.Scope, o: TriageReads = {}): nock.Scope {
  const repo = o.repo ?? SCENARIO_REPO_PATH;
  const number = o.number ?? 930;
  const config = o.config === undefined ? scenarioConfigYaml : o.config;
  if (config !== null) scope.get(`${repo}/contents/.github%2Fconfig-triage.yml`).reply(200, config);
  return scope
    .get(`${repo}/issues/${number}/comments`)
    .query(true)
    .reply(200, o.comments ?? [])
    .get(`${repo}/contents/.github%2Fconfig-triage`)
    .reply(404, { message: "Not Found" })
    .get(`${repo}/issues/${number}/sub_issues`)
    .query(true)
    .reply(200, o.subIssues ?? []);
}

/**
 * The reads a triage makes before opening follow-ups whose templates ask for a milestone and a type: the open
 * milestones and the repository's issue types (404 where the repository has none).
 */
export function mockStructureReads(
  scope: nock.Scope,
  o: { repo?: string; milestones?: object[]; issueTypes?: object[] | 404 } = {},
): nock.Scope {
  const repo = o.repo ?? SCENARIO_REPO_PATH;
  scope
    .get(`${repo}/milestones`)
    .query((q) => q.state === "open")
    .reply(200, o.milestones ?? scenarioMilestones(repo));
  const types = o.issueTypes ?? DEFAULT_ISSUE_TYPES;
  return types === 404
    ? scope.get(`${repo}/issue-types`).reply(404, { message: "Not Found" })
    : scope.get(`${repo}/issue-types`).reply(200, types);
}

/** GitHub's answer to `POST /issues`: the new issue with the milestone and type it asked for (as GitHub sets them). */
export function createdIssueJson(
  repo: string,
  number: number,
  body: { title: string; milestone?: number; type?: string },
  milestones: Array<Record<string, unknown>> = scenarioMilestones(repo),
): Record<string, unknown> {
  const milestone = milestones.find((m) => m.number === body.milestone) ?? null;
  const html_url = `https://github.com${repo.replace(/^\/repos/, "")}/issues/${number}`;
  return {
    id: 9000 + number,
    number,
    title: body.title,
    state: "open",
    html_url,
    milestone,
    type: body.type ? { name: body.type } : null,
  };
}

/** `POST /issues/{n}/dependencies/blocked_by`, for each `[blocked number, blocking id]`, recording the bodies sent. */
export function mockDependencies(
  scope: nock.Scope,
  links: Array<[number, number]>,
  sent: Array<{ blocked: number; issue_id: number }> = [],
  repo = SCENARIO_REPO_PATH,
): nock.Scope {
  for (const [blocked, blockingId] of links) {
    scope
      .post(`${repo}/issues/${blocked}/dependencies/blocked_by`, (body) => body.issue_id === blockingId)
      .reply(
        201,
        (_uri, body: any) => (sent.push({ blocked, issue_id: body.issue_id }), { id: 9000 + blocked, number: blocked }),
      );
  }
  return scope;
}
