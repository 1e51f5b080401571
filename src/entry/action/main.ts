import { runAction } from "./run-action.js";
import { writeResults } from "./write-results.js";

// The GitHub Action's entry (action.yml, bundled into action/dist/main.mjs): one event, then exit. Exits explicitly so
// open gRPC channels do not hang the step.
const result = await runAction().catch((error: unknown) => ({
  exitCode: 1,
  summary: `internal error: ${error instanceof Error ? error.message : String(error)}`,
  outputs: { verdict: "error", "comment-url": "", "follow-ups": "[]" },
  stepSummary: "",
  annotations: [],
}));
writeResults(result);
process.stdout.write("", () => process.exit(result.exitCode));
