import type { ConfigProblem } from "../domain/config/parse-config.js";

function location(p: ConfigProblem): string {
  const at = p.line ? `, line ${p.line}${p.column ? `, column ${p.column}` : ""}` : "";
  return `\`${p.file}\`${at}`;
}

/** The comment for a configuration or template the app cannot use: file, line and what to change, for each problem. */
export function renderProblemsComment(problems: ConfigProblem[]): string {
  return [
    "### ⚠️ config-triage could not use its configuration",
    ...problems.map((p) => `- ${location(p)}: ${p.message}`),
    "Nothing else was changed. Fix the file on the default branch, then comment `/triage recheck` (or remove and " +
      "re-add the label) to run the triage.",
  ].join("\n\n");
}
