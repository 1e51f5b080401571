import { readdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { validateFiles, type SourceFile } from "../../use-cases/validate-files.js";
import { loadBuiltInTemplates } from "../../rendering/templates.js";
import type { CliIO } from "./cli-io.js";
import { readInput, readLocalConfig } from "./read-local-config.js";
import { formatProblem, formatProblemAnnotation } from "./format-check.js";

export interface ValidateOptions {
  config: string;
  /** `text`: `file:line:column: message`; `github`: workflow commands that annotate the lines in a pull request. */
  format: "text" | "github";
}

/**
 * `config-triage validate`: the config against the schema, and every template (the app's and the repository's, from
 * `config-triage/` next to the config file) parsed and rendered with sample data. Exit code 0 when all is valid,
 * 1 when there are problems, 2 when the config file cannot be read.
 */
export async function validate(opts: ValidateOptions, io: CliIO): Promise<number> {
  // Through the one config source: the file with what it `_extends` (read from GitHub).
  const own = await readLocalConfig(io, opts.config);
  const templateDir = join(dirname(opts.config), "config-triage");
  let names: string[] = [];
  try {
    names = (await readdir(resolve(io.cwd, templateDir))).filter((f) => f.endsWith(".md")).sort();
  } catch {
    // No repository templates: only the app's own are used.
  }
  const repoTemplates: SourceFile[] = [];
  for (const name of names) {
    const file = relative(io.cwd, resolve(io.cwd, templateDir, name)) || name;
    repoTemplates.push({ file, text: await readInput(io, file, "template") });
  }
  const builtInTemplates = loadBuiltInTemplates();
  const problems = [...own.problems, ...validateFiles({ config: own.config, repoTemplates, builtInTemplates })];
  if (!problems.length) {
    io.stdout(`${opts.config} and ${builtInTemplates.size + repoTemplates.length} templates are valid\n`);
    return 0;
  }
  const format = opts.format === "github" ? formatProblemAnnotation : formatProblem;
  io.stdout(problems.map((p) => `${format(p)}\n`).join(""));
  io.stderr(`config-triage: ${problems.length} problem${problems.length === 1 ? "" : "s"} found\n`);
  return 1;
}
