import type { Context } from "probot";
import { configAt, configToValidate } from "./load-config.js";
import type { ConfigProblem } from "../domain/config/parse-config.js";
import { CONFIG_PATH } from "../domain/config/schema.js";
import { validateFiles, type SourceFile } from "./validate-files.js";
import {
  ANNOTATION_MESSAGE_LIMIT,
  CHECK_RUN_ANNOTATIONS,
  CHECK_RUN_TEXT_LIMIT,
  fitBody,
} from "../rendering/fit-body.js";
import { REPO_TEMPLATE_DIR } from "../domain/config/follow-up-template.js";
import type { AppWiring } from "./app-wiring.js";
import type { PullRequestFiles } from "./ports/pull-request-files.js";
import type { Feature } from "./feature.js";

export const CHECK_NAME = "config-triage";

const BREAKS = "Merging this would break triage: the app reads these files from the default branch.";

/** Whether a changed path is the app's config or one of its templates. */
export function isTriageFile(path: string): boolean {
  return (
    path === CONFIG_PATH ||
    (path.startsWith(`${REPO_TEMPLATE_DIR}/`) &&
      path.endsWith(".md") &&
      !path.slice(REPO_TEMPLATE_DIR.length + 1).includes("/"))
  );
}

/** The check run's output, as plain data: a summary and one annotation per problem, at its line. */
export function checkRunOutput(problems: ConfigProblem[], files: string[]) {
  const checked = files.map((f) => `\`${f}\``).join(", ");
  if (!problems.length) {
    return {
      conclusion: "success" as const,
      output: {
        title: "Configuration and templates are valid",
        summary: `Checked ${checked} as the app will read them.`,
      },
    };
  }
  const list = problems.map((p) => `- \`${p.file}\`${p.line ? ` line ${p.line}` : ""}: ${p.message}`).join("\n");
  return {
    conclusion: "failure" as const,
    output: {
      title: `${problems.length} problem${problems.length === 1 ? "" : "s"} in the config-triage configuration`,
      // Within GitHub's limits: the summary's 65,535 and each message's 64 KB (in bytes, the stricter reading).
      summary: fitBody(`${BREAKS}\n\n${list}`, {
        limit: CHECK_RUN_TEXT_LIMIT,
        bytes: true,
        note: (n) =>
          `\n\n✂️ ${n} more problems not listed (GitHub's size limit); ` +
          `the annotations show the first ${CHECK_RUN_ANNOTATIONS}.`,
      }),
      annotations: problems.slice(0, CHECK_RUN_ANNOTATIONS).map((p) => ({
        path: p.file,
        start_line: p.line ?? 1,
        end_line: p.line ?? 1,
        ...(p.column ? { start_column: p.column, end_column: p.column } : {}),
        annotation_level: "failure" as const,
        message: fitBody(p.message, { limit: ANNOTATION_MESSAGE_LIMIT, bytes: true }),
      })),
    },
  };
}

/** What a pull request's config and templates look like at its head: the problems and the files checked. */
export interface PullRequestValidation {
  problems: ConfigProblem[];
  files: string[];
}

/**
 * Validates the config and the templates as a pull request's head has them (`PullRequestFiles`, read by the adapter
 * only when the pull request touches one of them): the app's `pull_request` check and the Action's pull-request step
 * both use it.
 */
export async function validatePullRequest(
  files: PullRequestFiles,
  builtInTemplates: AppWiring["builtInTemplates"],
  configPath: string = CONFIG_PATH,
): Promise<PullRequestValidation> {
  const { configText, templates, owner, repo } = files;
  const repoTemplates: SourceFile[] = templates.filter((t) => !t.problem).map((t) => ({ file: t.file, text: t.text }));
  const bounds = templates.flatMap((t) => (t.problem ? [t.problem] : []));
  // Through the one config source: the head's file with what it `_extends` (from their default branches).
  const own =
    configText === undefined
      ? { problems: [] }
      : await configToValidate(files.configFiles, configAt(owner, repo, configPath), {
          file: configPath,
          text: configText,
        });
  const config = own.config;
  const problems = [...bounds, ...own.problems, ...validateFiles({ config, repoTemplates, builtInTemplates })];
  const checked = [...(configText === undefined ? [] : [configPath]), ...repoTemplates.map((t) => t.file)];
  return { problems, files: checked };
}

export const configCheck: Feature = {
  name: "pull-request check",
  help:
    "When a pull request changes `.github/config-triage.yml` or a template in `.github/config-triage/`, the app " +
    "validates the new version (schema, templates rendered with sample data) and reports a `config-triage` check run " +
    "with annotations at the failing lines.",
  register(app, deps) {
    app.on(
      ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"],
      async (context: Context<"pull_request">) => {
        const { owner, repo } = context.repo();
        const pr = context.payload.pull_request;
        const ref = pr.head.sha;
        const target = { owner, repo, number: pr.number, sha: ref };
        const files = await deps.readPullRequestFiles(context.octokit, target);
        if (!files) return;
        const checked = await validatePullRequest(files, deps.builtInTemplates);
        const { conclusion, output } = checkRunOutput(checked.problems, checked.files);
        const run = { name: CHECK_NAME, head_sha: ref, status: "completed" as const, conclusion, output };
        await context.octokit.rest.checks.create({ owner, repo, ...run });
        context.log.info({ pull: pr.number, problems: checked.problems.length }, "config check reported");
      },
    );
  },
};
