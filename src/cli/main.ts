#!/usr/bin/env node
import { processIO } from "./cli-io.js";
import { runCli } from "./run-cli.js";

// The package's `bin`. Exits explicitly: the gRPC channels of the Cloud Run clients must not keep the process alive.
const code = await runCli(process.argv.slice(2), processIO());
process.stdout.write("", () => process.exit(code));
