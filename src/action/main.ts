import { runAction } from "./run-action.js";

// The GitHub Action's entry (action.yml): one event, then exit. Exits explicitly so open gRPC channels do not hang the step.
const result = await runAction();
const escape = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
console.log(result.exitCode === 0 ? `config-triage: ${result.summary}` : `::error title=config-triage::${escape(result.summary)}`);
process.stdout.write("", () => process.exit(result.exitCode));
