#!/usr/bin/env node
import { processIO } from "./cli-io.js";
import { EXIT } from "./format-check.js";
import { runCli } from "./run-cli.js";

// A library error that escapes every caller (an unhandled rejection, an uncaught exception) ends the run with the same
// one line and exit code as any other "could not check", never with a stack trace.
const escaped = (error: unknown) => {
  process.stderr.write(`config-triage: ${String((error as Error)?.message ?? error).split("\n")[0]}\n`, () =>
    process.exit(EXIT.cannotCheck),
  );
};
process.on("unhandledRejection", escaped);
process.on("uncaughtException", escaped);

// The package's `bin`. Exits explicitly: the gRPC channels of the Cloud Run clients must not keep the process alive.
const code = await runCli(process.argv.slice(2), processIO());
process.stdout.write("", () => process.exit(code));
