/**
 * nock mocks of the GitHub requests many integration tests share: the installation token, and the reads of a REST
 * triage run (config, the issue's comments, the repository's templates, the issue's sub-issues).
 */
import nock from "nock";
import { INSTALLATION_ID } from "./probot.js";
import { SCENARIO_REPO, scenarioConfigYaml } from "../fixtures/scenario.js";

export const API = "https://api.github.com";
/** The scenario's repository as a REST path prefix. */
export const SCENARIO_REPO_PATH = `/repos/${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;

/** An installation token for the test installation, for every request of the test. */
export function mockInstallationToken(): nock.Scope {
  return nock(API).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: "ghs_test", permissions: {} }).persist();
}

export interface TriageReads {
  /** The repository path (`/repos/owner/name`); the scenario's by default. */
  repo?: string;
  /** The issue; 930 by default. */
  number?: number;
  /** The text of `.github/config-triage.yml`; the scenario's by default; `null` when the test mocks the config itself. */
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
    .get(`${repo}/issues/${number}/comments`).query(true).reply(200, o.comments ?? [])
    .get(`${repo}/contents/.github%2Fconfig-triage`).reply(404, { message: "Not Found" })
    .get(`${repo}/issues/${number}/sub_issues`).query(true).reply(200, o.subIssues ?? []);
}
