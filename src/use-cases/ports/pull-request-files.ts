import type { ConfigFiles } from "../load-config.js";
import type { RepoTemplateFile } from "./issue-github.js";

/** A pull request, at the commit its check is for. */
export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
  sha: string;
}

/** The app's files as a pull request's head has them: the config's text (undefined: absent) and the templates. */
export interface PullRequestFiles {
  owner: string;
  repo: string;
  configText: string | undefined;
  templates: RepoTemplateFile[];
  /** Where the config's `_extends` bases are read (their default branches). */
  configFiles: ConfigFiles;
}
