import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { check } from "./check.js";
import { UsageError, type CliIO } from "./cli-io.js";
import { CHECK_FORMATS, EXIT } from "./format-check.js";
import { plan, PLAN_FORMATS } from "./plan.js";
import { validate } from "./validate.js";

/** The package's version, from its package.json (three folders up, from `src/entry/cli/` and `dist/entry/cli/`). */
export const VERSION: string = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
).version;

const EXIT_CODES = `Exit codes:
  0  done, nothing to act on (every check passes / all files are valid / the triage would write nothing)
  1  done, something to act on (a check fails / problems found / the triage would write something)
  2  could not do it (a mistake on the command line, a missing or invalid file, a service or issue that could
     not be read)`;

const ENVIRONMENT = `Environment:
  CLOUD_RUN_EMULATOR_HOST  host:port of a Cloud Run emulator (default: Cloud Run with Application Default Credentials)
  CLOUD_RUN_TIMEOUT_MS     how long to wait for Cloud Run (default 15000)
  GITHUB_TOKEN             the token \`plan\` reads the repository with (GH_TOKEN also works)`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The command tree. `done` receives the exit code of the command that ran; `io` receives help and errors. */
function buildProgram(io: CliIO, done: (code: number) => void): Command {
  const program = new Command("config-triage")
    .description("Checks a repository's config-triage configuration and its live Cloud Run services.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "print the help of a command")
    .helpCommand("help [command]", "print the help of a command")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`config-triage: ${text.replace(/^error: /, "")}`),
    })
    .showSuggestionAfterError()
    .addHelpText("after", `\n${EXIT_CODES}\n\n${ENVIRONMENT}\n`);
  const format = (choices: readonly string[], fallback: string, what: string) =>
    new Option("--format <format>", what).choices(choices).default(fallback);

  program
    .command("check")
    .description("Check the live Cloud Run configuration against the config.")
    .option("--config <path>", "the config file", CONFIG_PATH)
    .addOption(new Option("--env <name>", "only this environment (repeatable)").argParser(collect).default([], "all"))
    .addOption(format(CHECK_FORMATS, "table", "table, json (the diagnosis as data) or markdown (as the app comments)"))
    .addHelpText("after", "\nExit code: 0 every check passes, 1 something fails, 2 could not check.\n")
    .action(async (opts) => done(await check({ config: opts.config, env: opts.env, format: opts.format }, io)));

  program
    .command("validate")
    .description("Validate the config and every template (rendered with sample data).")
    .option("--config <path>", "the config file; templates are read from config-triage/ next to it", CONFIG_PATH)
    .addOption(format(["text", "github"], "text", "text (file:line:column: message) or github (workflow annotations)"))
    .addHelpText("after", "\nExit code: 0 all valid, 1 problems found, 2 the config could not be read.\n")
    .action(async (opts) => done(await validate({ config: opts.config, format: opts.format }, io)));

  program
    .command("plan")
    .description("Dry run of the triage of one issue: what it would write. Writes nothing.")
    .requiredOption("--issue <ref>", "the issue, OWNER/REPO#NUMBER (read with GITHUB_TOKEN)")
    .addOption(format(PLAN_FORMATS, "text", "text (summary), json (the result as data) or markdown (the comment)"))
    .addHelpText(
      "after",
      "\nExit code: 0 the triage would write nothing, 1 it would write something (a comment, follow-ups, closing),\n" +
        "2 it could not plan (no token, no such issue, an invalid config).\n",
    )
    .action(async (opts) => done(await plan({ issue: opts.issue, format: opts.format }, io)));
  return program;
}

/**
 * Runs one CLI invocation and returns its exit code (see EXIT_CODES). Never calls process.exit, so tests run it
 * in-process. Data goes to stdout, messages to stderr; a user's mistake gets one line, never a stack trace.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let result: number = EXIT.cannotCheck;
  const program = buildProgram(io, (code) => (result = code));
  try {
    await program.parseAsync(argv, { from: "user" });
    return result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, --version and `help` exit 0; everything else commander refuses is a usage mistake.
      if (error.exitCode === 0) return 0;
      if (error.code !== "commander.help") io.stderr("Run config-triage help COMMAND for its options.\n");
      return EXIT.cannotCheck;
    }
    if (error instanceof UsageError) {
      io.stderr(`config-triage: ${error.message}\n`);
      return EXIT.cannotCheck;
    }
    // Not the user's mistake: one line (the message says what failed), and the stack only when asked for.
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    io.stderr(
      `config-triage: ${message}${io.env.CONFIG_TRIAGE_DEBUG ? "" : " (CONFIG_TRIAGE_DEBUG=1 prints the stack)"}\n`,
    );
    if (io.env.CONFIG_TRIAGE_DEBUG) io.stderr(`${(error as Error)?.stack}\n`);
    return EXIT.cannotCheck;
  }
}
