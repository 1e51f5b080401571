import type { Context } from "probot";
import type { ProjectPolicy } from "../domain/config/allowed-projects.js";
import type { Template } from "../domain/config/follow-up-template.js";
import type { Config } from "../domain/config/schema.js";
import type {
  HealthResult,
  LiveState,
  SecretFetchOptions,
  SecretUse,
  SecretVerification,
  ServiceTarget,
} from "../domain/diagnosis/live-state.js";
import type { AppIdentity } from "../domain/issue-state/markers.js";
import type { CommandGitHub } from "./ports/command-github.js";
import type { PullRequestFiles, PullRequestTarget } from "./ports/pull-request-files.js";
import type { RateLimitStore } from "./ports/rate-limit-store.js";
import type { TriageObserver } from "./ports/triage-observer.js";
import type { WatchScheduler } from "./triage/watch-scheduler.js";

/**
 * The app's wiring: what an entry point builds once for the whole app (`wireApp` from the settings; tests pass their
 * own) and hands to `createApp`: the templates, the live source, who the app is, the stores.
 */
export interface AppWiring {
  builtInTemplates: Map<string, Template>;
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  /**
   * Verifies the Secret Manager versions a diagnosis relies on (metadata only); absent: not verified. `allowProject`
   * says which projects this installation may read (the triage passes the operator's `allowedProjects`).
   */
  fetchSecrets?(uses: SecretUse[], options?: Pick<SecretFetchOptions, "allowProject">): Promise<SecretVerification>;
  identity: AppIdentity;
  /** Told when each triage starts and ends: the server's metrics count and time them; absent in tests and the CLI. */
  observer?: TriageObserver;
  /** Counts triages per issue (`max_triages_per_hour`); `createApp` gives an in-memory store when none is passed. */
  rateLimits?: RateLimitStore;
  /**
   * How the app talks to GitHub: "graphql" (one read and one document per write phase, falling back to REST per
   * installation when GraphQL or sub-issues are not available) or "rest" (one request per read and write).
   * Unset means "rest"; the production wiring picks "graphql" unless CONFIG_TRIAGE_GITHUB_API=rest.
   */
  transport?: "graphql" | "rest";
  /**
   * Where the config is read in the repository, when not `.github/config-triage.yml` (the Action's `config-path`):
   * that file alone, from the default branch (no fallback to the owner's `.github` repository, no `_extends`).
   */
  configPath?: string;
  /**
   * The GCP projects each installation may check (`CONFIG_TRIAGE_ALLOWED_PROJECTS` or `..._FILE`); the production
   * wiring always sets it, and with no setting nothing is allowed. Unset (tests, the Action): every project.
   */
  allowedProjects?: ProjectPolicy;
  /**
   * The login whose issues a REST run searches for follow-ups an earlier run opened but did not record
   * (`CONFIG_TRIAGE_BOT_LOGIN`); unset: the app's bot, asked once from `GET /app`.
   */
  ownIssuesBy?: string;
  /**
   * Where watched issues are rechecked on a schedule (`watch:`, `/triage watch`): the server's, in memory or on Redis.
   * Absent (tests, the CLI, the Action): nothing is watched.
   */
  watches?: WatchScheduler;
  /** The floor of `watch.every` (`CONFIG_TRIAGE_WATCH_MIN_EVERY`, default 5 minutes). */
  watchMinEveryMs?: number;
  /** Requests a service's health URL (`probeHealth`); `createApp` fills it in when it is not passed. */
  probeHealth?: (url: string, timeoutMs: number) => Promise<HealthResult>;
  /** GitHub for issue `number` of an event (`commandGitHubFromContext`); `createApp` fills it in. */
  gitHubFor?(context: Context<"issues" | "issue_comment">, number: number): CommandGitHub;
  /** The config and template files a pull request touches, at its head (`readPullRequestFiles`); `createApp`. */
  readPullRequestFiles?(
    octokit: Context["octokit"],
    target: PullRequestTarget,
    configPath?: string,
  ): Promise<PullRequestFiles | undefined>;
  /** Prepares slow-to-start clients (Cloud Run's gRPC stubs) so the first triage does not wait on them. */
  warmUp?(): Promise<void>;
}

/** What each feature gets from `createApp`: `AppWiring` with the adapters it fills in when they are not passed. */
export type FeatureWiring = AppWiring & Required<Pick<AppWiring, "probeHealth" | "gitHubFor" | "readPullRequestFiles">>;
