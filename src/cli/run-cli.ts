import { parseArgs } from "node:util";
import { CONFIG_PATH } from "../config/schema.js";
import { check } from "./check.js";
import { UsageError, type CliIO } from "./cli-io.js";
import { CHECK_FORMATS, EXIT, type CheckFormat } from "./format-check.js";
import { plan } from "./plan.js";
import { validate } from "./validate.js";

export const USAGE = `Usage: config-triage <command> [options]

Commands:
  check     Check the live Cloud Run configuration against the config.
            --config PATH        the config file (default ${CONFIG_PATH})
            --env NAME           only this environment (repeatable; default: all)
            --format FORMAT      table (default), json or markdown
            Exit code: 0 every check passes, 1 something fails, 2 could not check.
  validate  Validate the config and every template (rendered with sample data).
            --config PATH        the config file (default ${CONFIG_PATH}); templates are read from
                                 config-triage/ next to it
            --format FORMAT      text (default: file:line:column: message) or github (annotations)
            Exit code: 0 valid, 1 problems found, 2 could not read the config.
  plan      Dry run of the triage of one issue: prints the diagnosis and what it would write; writes nothing.
            --issue OWNER/REPO#N the issue (required); reads with GITHUB_TOKEN
            --format FORMAT      text (default) or json

Google credentials: Application Default Credentials, or CLOUD_RUN_EMULATOR_HOST=host:port for a local emulator.
`;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} ${value}: use one of ${allowed.join(", ")}`);
}

/** Runs one CLI invocation and returns its exit code. Never calls process.exit, so tests run it in-process. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === "help" || command === "--help" || command === "-h") {
      io.stdout(USAGE);
      return command ? 0 : EXIT.cannotCheck;
    }
    const options = {
      config: { type: "string", default: CONFIG_PATH },
      env: { type: "string", multiple: true, default: [] as string[] },
      format: { type: "string" },
      issue: { type: "string" },
      help: { type: "boolean", short: "h" },
    } as const;
    let values;
    try {
      ({ values } = parseArgs({ args: rest, options, allowPositionals: false, strict: true }));
    } catch (error) {
      throw new UsageError(`${(error as Error).message.split("\n")[0]}\nRun config-triage help for the options.`);
    }
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const only = (allowed: string[]) => {
      for (const flag of ["env", "issue"] as const) {
        const given = flag === "env" ? values.env.length > 0 : values.issue !== undefined;
        if (given && !allowed.includes(flag)) throw new UsageError(`${command} does not take --${flag}`);
      }
    };
    switch (command) {
      case "check":
        only(["env"]);
        return await check({ config: values.config, env: values.env, format: oneOf<CheckFormat>("format", values.format, CHECK_FORMATS, "table") }, io);
      case "validate":
        only([]);
        return await validate({ config: values.config, format: oneOf("format", values.format, ["text", "github"] as const, "text") }, io);
      case "plan":
        only(["issue"]);
        if (!values.issue) throw new UsageError("plan needs --issue OWNER/REPO#N");
        return await plan({ issue: values.issue, format: oneOf("format", values.format, ["text", "json"] as const, "text") }, io);
      default:
        throw new UsageError(`unknown command "${command}": use check, validate or plan (config-triage help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`config-triage: ${error.message}\n`);
      return EXIT.cannotCheck;
    }
    // One line, no stack trace: a person reads it, and the message says what failed.
    io.stderr(`config-triage: ${String((error as Error)?.message ?? error).split("\n")[0]}\n`);
    return EXIT.cannotCheck;
  }
}
