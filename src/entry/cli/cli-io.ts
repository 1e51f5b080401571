import { readAppSettings, type AppSettings } from "../read-settings.js";

/**
 * What a CLI command may touch: its output streams, the environment and the working directory. Tests pass their own.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: the progress line is redrawn in place only there. */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Thrown for a mistake on the command line or in the input files; the message is printed as is (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The app's settings from the CLI's environment (`readAppSettings`): every invalid one at once, each by its variable
 * name, as the user's mistake (one line, exit 2).
 */
export function readCliSettings(io: Pick<CliIO, "env">): Readonly<AppSettings> {
  const read = readAppSettings(io.env);
  if (!read.ok) throw new UsageError(read.problems.join("; "));
  return read.settings;
}
