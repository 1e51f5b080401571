import type { ApplicationFunction, Probot } from "probot";
import { defaultDeps, type AppDeps } from "./app-deps.js";
import { features } from "../use-cases/all-features.js";
import { createMemoryRateLimitStore } from "../adapters/rate-limits/rate-limit-store.js";

/** Builds the Probot app with the given dependencies (tests pass their own). */
export function createApp(deps: AppDeps = defaultDeps()): ApplicationFunction {
  const withLimits: AppDeps = { ...deps, rateLimits: deps.rateLimits ?? createMemoryRateLimitStore() };
  return (app: Probot) => {
    for (const feature of features) feature.register(app, withLimits);
  };
}

export default createApp;
