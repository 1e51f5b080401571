import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { closest } from "fastest-levenshtein";
import { createCloudRunClients } from "../cloud-run/create-clients.js";
import { parseConfigText } from "../config/parse-config.js";
import { evaluate } from "../diagnosis/evaluate.js";
import { fetchLiveState } from "../diagnosis/fetch-live-state.js";
import { planChecks, targetsToFetch } from "../diagnosis/plan-checks.js";
import { UsageError, type CliIO } from "./cli-io.js";
import { EXIT, exitCodeFor, formatCheck, formatProblem, type CheckFormat } from "./format-check.js";

export interface CheckOptions {
  config: string;
  /** Only these environments (default: all). */
  env: string[];
  format: CheckFormat;
}

/** Reads a file relative to the working directory, with a message that says what to do when it is not there. */
export async function readInput(io: CliIO, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${path}: no such file. Run config-triage in the repository's root, or pass --config PATH to the ${what}.`
        : `${path}: cannot read it (${code ?? String(error)})`,
    );
  }
}

/**
 * `config-triage check`: the app's live check from a terminal or a CI job. Exit code 0 when every check passes, 1 when
 * something fails, 2 when it could not check (invalid config, a service that cannot be read, nothing to check).
 */
export async function check(opts: CheckOptions, io: CliIO): Promise<number> {
  const text = await readInput(io, opts.config, "configuration file");
  const parsed = parseConfigText(text, opts.config);
  if (!parsed.ok) {
    io.stderr(parsed.problems.map((p) => `${formatProblem(p)}\n`).join(""));
    io.stderr(`config-triage: ${opts.config} is not valid; nothing was checked\n`);
    return EXIT.cannotCheck;
  }
  const config = parsed.config;
  const known = Object.keys(config.environments);
  for (const env of opts.env) {
    if (!known.includes(env)) {
      throw new UsageError(`--env ${env}: no such environment in ${opts.config} (did you mean ${closest(env, known)}? the environments are ${known.join(", ")})`);
    }
  }
  const checks = planChecks(config, { title: "", body: null }).map((c) => ({
    ...c,
    targets: c.targets.filter((t) => !opts.env.length || opts.env.includes(t.environment)),
  }));
  const targets = targetsToFetch(checks);
  const started = Date.now();
  const progress = (done: number, total: number) => {
    if (io.stderrIsTTY) io.stderr(`\r\x1b[Kchecking ${done}/${total} services…`);
  };
  if (targets.length) {
    io.stderr(io.stderrIsTTY ? "" : `config-triage: checking ${targets.length} service${targets.length === 1 ? "" : "s"}…\n`);
  }
  const clients = createCloudRunClients(io.env.CLOUD_RUN_EMULATOR_HOST ?? "");
  let live;
  try {
    live = await fetchLiveState(clients, targets, { timeoutMs: Number(io.env.CLOUD_RUN_TIMEOUT_MS) || 15_000, onProgress: progress });
  } finally {
    await clients.close();
  }
  if (targets.length) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`${io.stderrIsTTY ? "\r\x1b[K" : ""}config-triage: checked ${targets.length} service${targets.length === 1 ? "" : "s"} in ${seconds} s\n`);
  }
  const diagnosis = evaluate(checks, live);
  io.stdout(`${formatCheck(diagnosis, opts.format)}\n`);
  return exitCodeFor(diagnosis.verdict);
}
