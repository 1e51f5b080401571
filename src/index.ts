import type { ApplicationFunction, Probot } from "probot";
import { defaultDeps, type AppDeps } from "./app-deps.js";
import { features } from "./features/index.js";

/** Builds the Probot app with the given dependencies (tests pass their own). */
export function createApp(deps: AppDeps = defaultDeps()): ApplicationFunction {
  return (app: Probot) => {
    for (const feature of features) feature.register(app, deps);
  };
}

export default createApp;
