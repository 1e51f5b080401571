import type { ProbotOctokit } from "probot";
import type { TriageObserver } from "../../use-cases/ports/triage-observer.js";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The app's Prometheus metrics (prom-client), on their own registry. The names are part of the app's interface: they
 * are listed in docs/operations.md; change them only with a note there.
 */
export interface AppMetrics {
  registry: Registry;
  /** `config_triage_triages_total{outcome}`: pass, fail, incomplete, nothing-to-check, config-error, error. */
  triages: Counter<"outcome">;
  /** `config_triage_triage_duration_seconds{outcome}`: one triage, from reading the config to the last write. */
  triageDuration: Histogram<"outcome">;
  /** `config_triage_triages_in_flight`: triages running now. */
  triagesInFlight: Gauge;
  /** `config_triage_github_requests_total{method,route,status}`: every GitHub API request, by route template. */
  githubRequests: Counter<"method" | "route" | "status">;
  /**
   * `config_triage_cloud_run_request_duration_seconds{method,code}`: each Cloud Run Admin API call; code is the gRPC
   * status name.
   */
  cloudRunLatency: Histogram<"method" | "code">;
  /** `config_triage_queue_depth`: webhook deliveries waiting to be handled, read from the queue at each scrape. */
  queueDepth: Gauge;
  /** Tells the queue-depth gauge where to read the depth from (the queue is created after the metrics). */
  measureQueueDepth(source: () => Promise<number>): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "config_triage_" });
  const registers = [registry];
  let depthSource: (() => Promise<number>) | undefined;
  return {
    registry,
    triages: new Counter({
      name: "config_triage_triages_total",
      help: "Triages finished, by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    triageDuration: new Histogram({
      name: "config_triage_triage_duration_seconds",
      help: "Duration of a triage, by outcome.",
      labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    triagesInFlight: new Gauge({ name: "config_triage_triages_in_flight", help: "Triages running now.", registers }),
    githubRequests: new Counter({
      name: "config_triage_github_requests_total",
      help: "GitHub API requests, by method, route template and HTTP status.",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    cloudRunLatency: new Histogram({
      name: "config_triage_cloud_run_request_duration_seconds",
      help: "Latency of Cloud Run Admin API calls, by method and gRPC status.",
      labelNames: ["method", "code"],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers,
    }),
    queueDepth: new Gauge({
      name: "config_triage_queue_depth",
      help: "Webhook deliveries waiting to be handled.",
      registers,
      async collect() {
        if (depthSource) this.set(await depthSource().catch(() => 0));
      },
    }),
    measureQueueDepth(source) {
      depthSource = source;
    },
  };
}

/** The triage observer that counts and times triages in these metrics (`config_triage_triages_total`, ...). */
export function triageObserver(metrics: AppMetrics): TriageObserver {
  return {
    triageStarted() {
      const end = metrics.triageDuration.startTimer();
      metrics.triagesInFlight.inc();
      return (outcome) => {
        metrics.triagesInFlight.dec();
        metrics.triages.inc({ outcome });
        end({ outcome });
      };
    },
  };
}

const GRPC_NAMES: Record<number, string> = {
  0: "OK",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  7: "PERMISSION_DENIED",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

/** Times one Cloud Run call into `config_triage_cloud_run_request_duration_seconds`. */
export async function timeCloudRunCall<T>(
  metrics: AppMetrics | undefined,
  method: string,
  call: () => Promise<T>,
): Promise<T> {
  if (!metrics) return call();
  const end = metrics.cloudRunLatency.startTimer({ method });
  try {
    const result = await call();
    end({ code: "OK" });
    return result;
  } catch (error) {
    const code = (error as { code?: number }).code;
    end({ code: code === undefined ? "UNKNOWN" : (GRPC_NAMES[code] ?? String(code)) });
    throw error;
  }
}

/** The literal path words of the GitHub routes the app calls; any other segment of an expanded URL is a parameter. */
const ROUTE_WORDS = new Set(
  (
    "repos repositories issues comments sub_issues sub_issue labels contents commits collaborators permission " +
    "reactions pulls files check-runs app installations installation access_tokens graphql users orgs events " +
    "timeline git refs ref trees blobs branches search rate_limit assignees milestones parent priority"
  ).split(" "),
);
/** After these words, the rest of the path is one parameter (a file path or a git ref may hold slashes). */
const REST_OF_PATH: Record<string, string> = { contents: "{path}", refs: "{ref}", ref: "{ref}", trees: "{tree_sha}" };

/**
 * The route template of a GitHub request, for a metric label: Octokit's own template when it has one
 * (`/repos/{owner}/{repo}/issues/{issue_number}`), else the expanded URL (a pagination link, a literal route) with
 * every segment that is not a known route word replaced by a parameter. So the label set stays bounded and no
 * repository, owner, issue number or file name reaches `/metrics`.
 */
export function routeTemplate(url: string): string {
  const path = url
    .replace(/^https?:\/\/[^/]+/, "")
    .replace(/^\/api\/v3(?=\/)/, "")
    .split("?")[0];
  if (path.includes("{")) return path;
  const out: string[] = [];
  const segments = path.split("/").slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const previous = segments[i - 1];
    if (previous === "repos" && i === 1) {
      out.push("{owner}", "{repo}");
      i++;
    } else if (previous && REST_OF_PATH[previous] && !ROUTE_WORDS.has(segment)) {
      out.push(REST_OF_PATH[previous]);
      break;
    } else out.push(ROUTE_WORDS.has(segment) ? segment : /^\d+$/.test(segment) ? "{id}" : "{param}");
  }
  return `/${out.join("/")}`;
}

/**
 * An Octokit plugin that counts every request by method, route template (`routeTemplate`:
 * `/repos/{owner}/{repo}/issues`, so the label set stays small and names nothing) and status. Use with
 * `ProbotOctokit.plugin(githubRequestMetrics(metrics))`.
 */
export function githubRequestMetrics(metrics: AppMetrics) {
  // Typed as Octokit's plugin parameter: only its `hook` is used.
  return (octokit: Pick<InstanceType<typeof ProbotOctokit>, "hook">) => {
    octokit.hook.wrap("request", async (request, options) => {
      const labels = { method: String(options.method), route: routeTemplate(String(options.url)) };
      try {
        const response = await request(options);
        metrics.githubRequests.inc({ ...labels, status: String(response.status) });
        return response;
      } catch (error) {
        metrics.githubRequests.inc({ ...labels, status: String((error as { status?: number }).status ?? "error") });
        throw error;
      }
    });
  };
}
