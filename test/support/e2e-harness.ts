/**
 * The shared harness of the end-to-end tests (test/e2e): for one test file, a Cloud Run emulator and a GitHub stand-in
 * started before all its tests, the real server processes it starts (`start`), and a redis-server if it asks for one,
 * all stopped after the file; after each test, no request the app sent may break GitHub's OpenAPI description.
 * Plus the canonical scenario in a repository of its own per test, its `issues.labeled` event, and what the app wrote.
 */
import { startCloudRunEmulator, type CloudRunEmulator } from "../../dev/cloud-run-emulator.js";
import {
  startGitHubStandIn,
  type GitHubStandIn,
  type StandInIssue,
  type StartOptions,
} from "../../dev/github-standin.js";
import { labeledPayload, withStandInIds } from "../../dev/webhook-payloads.js";
import { appEnv, randomUUID, startApp, startRedis, type AppProcess, type RedisServer } from "../../dev/app-server.js";
import { scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../dev/scenario.js";
import { addScenarioMilestones } from "../../dev/scenario-structure.js";

export const OWNER = "netra-systems";

export interface E2EOptions {
  /** The app id the stand-in and the server agree on. */
  appId: number;
  /** What the emulator serves; the scenario's services by default. */
  services?: ReturnType<typeof scenarioServices>;
  /** Further stand-in options (e.g. `latencyMs`). */
  standIn?: Omit<StartOptions, "appId">;
  /** Environment every `start` gets, under its own `extra`. */
  env?: Record<string, string>;
  /** The labelled issue says it was created a minute ago (instead of the example payload's date). */
  backdateIssues?: boolean;
}

export interface E2E {
  /** Set once the harness's `beforeAll` has run. */
  readonly github: GitHubStandIn;
  readonly cloudRun: CloudRunEmulator;
  /** Every server started with `start`, in order. */
  readonly apps: readonly AppProcess[];
  /**
   * Starts a server on the stand-in and the emulator (environment: `options.env`, then `extra`); stopped after the
   * file.
   */
  start(extra?: Record<string, string>): Promise<AppProcess>;
  /** Starts a redis-server, stopped after the file (after the servers). */
  startRedis(): Promise<RedisServer>;
  /** `OWNER/repo` with the scenario's config (or `config`), sre-lead as maintainer, and the scenario's issue. */
  addRepo(repo: string, config?: string): StandInIssue;
  /** The `issues.labeled` event (triage:config, by sre-lead) for the scenario's issue in `OWNER/repo`. */
  labeled(repo: string): ReturnType<typeof labeledPayload>;
  /** The scenario's issue in `OWNER/repo`, as the stand-in holds it now. */
  parent(repo: string): StandInIssue;
  /** The comments the app wrote on the scenario's issue. */
  appComments(repo: string): StandInIssue["comments"];
  /** The issues the app opened in `OWNER/repo`. */
  followUps(repo: string): StandInIssue[];
  /**
   * Expects `count` follow-ups in `OWNER/repo`, no title twice, each a sub-issue of the scenario's issue; returns them.
   */
  expectFollowUpsOnce(repo: string, count: number): StandInIssue[];
}

/** Registers the harness's hooks in the calling test file; call it at the top level, before the file's own hooks. */
export function useE2E(options: E2EOptions): E2E {
  const secret = `e2e-${randomUUID()}`;
  const apps: AppProcess[] = [];
  const redisServers: RedisServer[] = [];
  let github: GitHubStandIn | undefined;
  let cloudRun: CloudRunEmulator | undefined;

  beforeAll(async () => {
    cloudRun = await startCloudRunEmulator(options.services ?? scenarioServices());
    github = await startGitHubStandIn({ appId: options.appId, ...options.standIn });
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await github?.close();
    await cloudRun?.close();
    for (const redis of redisServers) await redis.stop();
  });

  afterEach(() => {
    expect(github!.violations).toEqual([]);
  });

  const e2e: E2E = {
    get github() {
      return github!;
    },
    get cloudRun() {
      return cloudRun!;
    },
    apps,
    async start(extra = {}) {
      const env = appEnv(
        { appId: options.appId, githubHost: github!.host, cloudRunAddress: cloudRun!.address, secret },
        { ...options.env, ...extra },
      );
      const app = await startApp({ env });
      apps.push(app);
      return app;
    },
    async startRedis() {
      const redis = await startRedis();
      redisServers.push(redis);
      return redis;
    },
    addRepo(repo, config = scenarioConfigYaml) {
      github!.addRepo(`${OWNER}/${repo}`, {
        files: { ".github/config-triage.yml": config },
        collaborators: { "sre-lead": "maintain" },
        issueTypes: ["Task", "Bug", "Feature"],
      });
      addScenarioMilestones(github!, `${OWNER}/${repo}`);
      return github!.addIssue(`${OWNER}/${repo}`, {
        number: scenarioIssue.number,
        title: scenarioIssue.title,
        body: scenarioIssue.body,
        user: { login: "sre-lead", type: "User" },
      });
    },
    labeled(repo) {
      const payload = withStandInIds(
        labeledPayload({ owner: OWNER, repo, ...scenarioIssue, label: "triage:config", sender: "sre-lead" }),
        github!.repo(`${OWNER}/${repo}`)!,
        e2e.parent(repo),
      );
      payload.installation.id = 1;
      if (options.backdateIssues) payload.issue.created_at = new Date(Date.now() - 60_000).toISOString();
      return payload;
    },
    parent: (repo) => github!.issue(`${OWNER}/${repo}`, scenarioIssue.number)!,
    appComments: (repo) => e2e.parent(repo).comments.filter((c) => c.user.login === github!.botLogin),
    followUps: (repo) => github!.issues(`${OWNER}/${repo}`).filter((i) => i.user.login === github!.botLogin),
    expectFollowUpsOnce(repo, count) {
      const made = e2e.followUps(repo);
      expect(made).toHaveLength(count);
      expect(new Set(made.map((f) => f.title)).size).toBe(count);
      expect(made.every((f) => f.parent === e2e.parent(repo).id)).toBe(true);
      return made;
    },
  };
  return e2e;
}
