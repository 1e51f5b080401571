import type { Context } from "probot";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { isTriageFile } from "../../use-cases/check-pull-request.js";
import type { PullRequestFiles, PullRequestTarget } from "../../use-cases/ports/pull-request-files.js";
import { githubConfigFiles, readRawFile, readTemplateDir } from "./issue-github.js";

/**
 * The config and the templates at a pull request's head, when the pull request touches one of them (else undefined).
 * The head of a fork's pull request is anyone's: it is read through the app's one file reader, templates bounded.
 */
export async function readPullRequestFiles(
  octokit: Context["octokit"],
  target: PullRequestTarget,
  configPath: string = CONFIG_PATH,
): Promise<PullRequestFiles | undefined> {
  const { owner, repo, sha: ref } = target;
  const changed = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner,
    repo,
    pull_number: target.number,
    per_page: 100,
  });
  if (!changed.some((f) => isTriageFile(f.filename) || f.filename === configPath)) return undefined;
  const rest = octokit as unknown as Parameters<typeof readRawFile>[0];
  const configText = await readRawFile(rest, owner, repo, configPath, ref);
  const templates = await readTemplateDir(rest, owner, repo, ref);
  return { owner, repo, configText, templates, configFiles: githubConfigFiles(rest) };
}
