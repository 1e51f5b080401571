import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Octokit } from "@octokit/rest";
import { configAt, configToValidate, type ConfigFiles } from "../../use-cases/load-config.js";
import { parseConfig, parseConfigText, type ConfigResult } from "../../domain/config/parse-config.js";
import { readRawFile } from "../../adapters/github/issue-github.js";
import { UsageError, type CliIO } from "./cli-io.js";

/** Reads a file relative to the working directory, with a message that says what to do when it is not there. */
export async function readInput(io: CliIO, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${path}: no such file. Run config-triage in the repository's root, or pass --config PATH to the ${what}.`
        : `${path}: cannot read it (${code ?? String(error)})`,
    );
  }
}

/** The GitHub API base URL: GITHUB_API_URL (as in Actions), else GHE_HOST like the app, else api.github.com. */
export function githubBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/$/, "");
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3`;
  return "https://api.github.com";
}

/**
 * The bases a config file on disk `_extends`, read from GitHub with GITHUB_TOKEN (or GH_TOKEN). A base named without
 * its owner is in the owner of GITHUB_REPOSITORY (`owner/repo`, as in Actions).
 */
export function githubFilesForCli(io: CliIO): ConfigFiles {
  let octokit: Octokit | undefined;
  return {
    async read(at) {
      if (!at.owner) {
        throw new UsageError(
          `\`_extends: ${at.repo}\` names no owner: write \`_extends: OWNER/${at.repo}\`, ` +
            "or set GITHUB_REPOSITORY=OWNER/REPO",
        );
      }
      const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
      if (!token) {
        throw new UsageError(
          `the config extends ${at.owner}/${at.repo}:${at.path}, which is read from GitHub: ` +
            "set GITHUB_TOKEN (e.g. GITHUB_TOKEN=$(gh auth token))",
        );
      }
      octokit ??= new Octokit({ auth: token, baseUrl: githubBaseUrl(io.env), userAgent: "config-triage-cli" });
      return readRawFile(octokit, at.owner, at.repo, at.path);
    },
  };
}

/**
 * A config file on disk as the app would read it: through the one config source, with what it `_extends` (see
 * `configToValidate`). `parse` gives the validated config or the problems, each located in its file.
 */
export async function readLocalConfig(io: CliIO, file: string) {
  const text = await readInput(io, file, "configuration file");
  const [owner = "", repo = ""] = (io.env.GITHUB_REPOSITORY ?? "").split("/");
  const own = await configToValidate(githubFilesForCli(io), configAt(owner, repo), { file, text });
  const parse = (): ConfigResult => {
    if (own.problems.length || !own.config) return { ok: false, problems: own.problems };
    const { value } = own.config;
    return value === undefined ? parseConfigText(text, file) : parseConfig(value, { file, text });
  };
  return { ...own, parse };
}
