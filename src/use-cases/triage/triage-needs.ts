import type { ProjectPolicy } from "../../domain/config/allowed-projects.js";
import type { ConfigProblem } from "../../domain/config/parse-config.js";
import type { Config } from "../../domain/config/schema.js";
import type { Template } from "../../domain/config/follow-up-template.js";
import type { Diagnosis } from "../../domain/diagnosis/evaluate.js";
import type {
  HealthResult,
  LiveState,
  SecretFetchOptions,
  SecretUse,
  SecretVerification,
  ServiceTarget,
} from "../../domain/diagnosis/live-state.js";
import type { Proposal } from "../../domain/follow-up-plan/to-proposal.js";
import type { FollowUpPlan } from "../../domain/follow-up-plan/follow-up-plan.js";
import type { AppIdentity } from "../../domain/issue-state/markers.js";
import type { RateLimitStore } from "../ports/rate-limit-store.js";
import type { TriageObserver } from "../ports/triage-observer.js";
import type { IssueWatch } from "./watch-scheduler.js";

/** What one triage run needs besides its GitHub port (`TriageGitHub`): the features take it from `FeatureWiring`. */
export interface TriageNeeds {
  builtInTemplates: Map<string, Template>;
  /** Reads the live state of the services (Cloud Run, or a snapshot). */
  fetchLive(targets: ServiceTarget[], config: Config): Promise<LiveState>;
  /** Requests a health URL (the adapter: `probeHealth`). */
  probeHealth: (url: string, timeoutMs: number) => Promise<HealthResult>;
  /** Verifies the Secret Manager versions the diagnosis relies on; absent: fixes are not verified. */
  fetchSecrets?(uses: SecretUse[], options?: Pick<SecretFetchOptions, "allowProject">): Promise<SecretVerification>;
  identity: AppIdentity;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Told when each triage starts and ends (the server counts and times them; the Action reads the outcome). */
  observer?: TriageObserver;
  /** Counts triages per issue for `max_triages_per_hour`; without one, triages are not rate-limited. */
  rateLimits?: RateLimitStore;
  /**
   * The GCP projects the operator lets each repository check (`CONFIG_TRIAGE_ALLOWED_PROJECTS`). The app sets it
   * always (no setting allows nothing); the CLI and the Action, which use their user's own Google credentials, do not.
   */
  allowedProjects?: ProjectPolicy;
  /** This issue's watch (`watch:`): a triage starts it while the issue stays open, stops it once closed or passing. */
  watch?: IssueWatch;
  /** The deployment's floor for `watch.every` (`CONFIG_TRIAGE_WATCH_MIN_EVERY`; default 5 minutes). */
  watchMinEveryMs?: number;
}

export type TriageOutcome =
  | { kind: "config-error"; problems: ConfigProblem[] }
  | { kind: "done"; diagnosis: Diagnosis; plan: FollowUpPlan; created: number[]; closed: boolean; shown?: Proposal }
  /** `apply` refused: the plan shown is not current. The comment now shows `shown`, the fresh plan. */
  | { kind: "stale"; reasons: string[]; shown: Proposal }
  /**
   * Refused by `max_triages_per_hour`; nothing was read or written. `message` says what limit and when it resets;
   * `first` is true for the first refusal of the window (the one worth reporting on the issue).
   */
  | { kind: "limited"; message: string; first: boolean };

/** How a run treats follow-ups and the parent (the trigger label and the commands differ). */
export interface TriageOptions {
  /**
   * `create`: open the missing follow-ups now; `plan`: show them in the comment with a plan id and create nothing.
   * Default: by the config's `mode` (`auto` creates, `review` plans).
   */
  followUps?: "create" | "plan";
  /** Add a "changed since the last check" section (`/triage recheck`). */
  showChanges?: boolean;
  /** Close the parent when every check passes and the config says so (default true). */
  mayClose?: boolean;
  /** `/triage apply [plan-id]`: create only if the plan shown last is still what a fresh plan gives. */
  apply?: { proposalId?: string };
  /** A scheduled recheck (`watch:`): not counted against `max_triages_per_hour`, and a close says it found it. */
  scheduled?: boolean;
}
