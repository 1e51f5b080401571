import type { ApplicationFunction, Probot } from "probot";
import { probeHealth } from "../adapters/cloud-run/probe-health.js";
import { commandGitHubFromContext } from "../adapters/github/command-github.js";
import { readPullRequestFiles } from "../adapters/github/read-pull-request-files.js";
import { createMemoryRateLimitStore } from "../adapters/rate-limits/rate-limit-store.js";
import { features } from "../use-cases/all-features.js";
import type { AppWiring, FeatureWiring } from "../use-cases/app-wiring.js";

/**
 * Builds the Probot app with the given dependencies (tests pass their own): the adapters a dependency leaves out
 * (health probe, GitHub per issue, pull request files, an in-memory rate limit) are filled in here, the one place
 * where the use cases meet them.
 */
export function createApp(deps: AppWiring): ApplicationFunction {
  const filled: FeatureWiring = {
    ...deps,
    rateLimits: deps.rateLimits ?? createMemoryRateLimitStore(),
    probeHealth: deps.probeHealth ?? probeHealth,
    gitHubFor: deps.gitHubFor ?? ((context, number) => commandGitHubFromContext(context, number, deps)),
    readPullRequestFiles: deps.readPullRequestFiles ?? readPullRequestFiles,
  };
  return (app: Probot) => {
    for (const feature of features) feature.register(app, filled);
  };
}

export default createApp;
