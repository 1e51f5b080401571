import type { Probot } from "probot";
import type { FeatureWiring } from "./app-wiring.js";

/** One feature of the app: what it reacts to, and the help a maintainer sees for it. */
export interface Feature {
  name: string;
  /** One or two sentences of Markdown, shown by the help command and docs/commands.md. */
  help: string;
  register(app: Probot, deps: FeatureWiring): void;
}
