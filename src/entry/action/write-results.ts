import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { escapeCommand } from "../cli/format-check.js";
import type { ActionResult } from "./run-action.js";

/**
 * Hands a result to the runner as GitHub documents it: each output appended to `$GITHUB_OUTPUT` as
 * `name<<DELIMITER` … `DELIMITER` (a random delimiter, so no value can end it early), the job summary appended to
 * `$GITHUB_STEP_SUMMARY`, and the annotations and the one-line summary on stdout.
 */
export function writeResults(
  result: ActionResult,
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = console.log,
): void {
  if (env.GITHUB_OUTPUT) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    const text = Object.entries(result.outputs)
      .map(([name, value]) => `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
      .join("");
    appendFileSync(env.GITHUB_OUTPUT, text);
  }
  if (env.GITHUB_STEP_SUMMARY && result.stepSummary) appendFileSync(env.GITHUB_STEP_SUMMARY, result.stepSummary);
  for (const annotation of result.annotations) print(annotation);
  print(
    result.exitCode === 0
      ? `config-triage: ${result.summary}`
      : `::error title=config-triage::${escapeCommand(result.summary)}`,
  );
}
