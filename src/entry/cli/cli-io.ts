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
