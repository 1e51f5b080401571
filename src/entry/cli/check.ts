import { probeHealth } from "../../adapters/cloud-run/probe-health.js";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { closest } from "fastest-levenshtein";
import { secretVerifier } from "../wire-app.js";
import { createCloudRunClients, type CloudRunClients } from "../../adapters/cloud-run/create-clients.js";
import type { Config } from "../../domain/config/schema.js";
import { evaluate } from "../../domain/diagnosis/evaluate.js";
import { fetchLiveState } from "../../adapters/cloud-run/fetch-live-state.js";
import { gatherLiveState, type SnapshotRead } from "../../use-cases/triage/gather-live-state.js";
import { resolveRequirements } from "../../domain/diagnosis/resolve-requirements.js";
import { readCliSettings, UsageError, type CliIO } from "./cli-io.js";
import type { AppSettings } from "../read-settings.js";
import { readLocalConfig } from "./read-local-config.js";
import { EXIT, exitCodeFor, formatCheck, formatProblem, type CheckFormat } from "./format-check.js";

export interface CheckOptions {
  config: string;
  /** Only these environments (default: all). */
  env: string[];
  format: CheckFormat;
}

/**
 * The checkout a config file belongs to: the nearest directory above it with `.git`; else, for a file in `.github/`,
 * that folder's parent; else the file's own directory.
 */
export function repositoryRoot(configFile: string): string {
  const configDir = dirname(configFile);
  for (let dir = configDir; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, ".git"))) return dir;
    if (dirname(dir) === dir) break;
  }
  return basename(configDir) === ".github" ? dirname(configDir) : configDir;
}

/**
 * Reads an environment's `snapshot:` from the checkout, as the app reads it from the default branch: relative to the
 * repository root, else to the config file's directory. Its date is its last commit's (`git log`), else the file's
 * modification time.
 */
export function readLocalSnapshot(configFile: string): (path: string) => Promise<SnapshotRead> {
  const root = repositoryRoot(configFile);
  return async (path) => {
    const file = [resolve(root, path), resolve(dirname(configFile), path)].find((f) => existsSync(f));
    if (!file) return undefined;
    const text = await readFile(file, "utf8");
    const committed = await promisify(execFile)("git", ["log", "-1", "--format=%cI", "--", relative(root, file)], {
      cwd: root,
    })
      .then(({ stdout }) => stdout.trim())
      .catch(() => "");
    const updatedAt = committed ? new Date(committed).toISOString() : (await stat(file)).mtime.toISOString();
    return { text, updatedAt };
  };
}

/** The Cloud Run clients for a CLI command, from its settings (`readCliSettings`, which checked the emulator host). */
export function cloudRunClientsFor(settings: AppSettings["cloudRun"]): CloudRunClients {
  return createCloudRunClients(settings.emulatorHost ?? "", settings.credentialsFile);
}

/** The config with only the chosen environments (all when none is chosen). */
function onlyEnvironments(config: Config, envs: string[]): Config {
  if (!envs.length) return config;
  return {
    ...config,
    environments: Object.fromEntries(Object.entries(config.environments).filter(([name]) => envs.includes(name))),
  };
}

/**
 * `config-triage check`: the app's live check from a terminal or a CI job. Exit code 0 when every check passes, 1 when
 * something fails, 2 when it could not check (invalid config, a service that cannot be read, nothing to check).
 */
export async function check(opts: CheckOptions, io: CliIO): Promise<number> {
  const parsed = (await readLocalConfig(io, opts.config)).parse();
  if (!parsed.ok) {
    io.stderr(parsed.problems.map((p) => `${formatProblem(p)}\n`).join(""));
    io.stderr(`config-triage: ${opts.config} is not valid; nothing was checked\n`);
    return EXIT.cannotCheck;
  }
  const config = parsed.config;
  const known = Object.keys(config.environments);
  for (const env of opts.env) {
    if (!known.includes(env)) {
      throw new UsageError(
        `--env ${env}: no such environment in ${opts.config} (did you mean ${closest(env, known)}? the environments ` +
          `are ${known.join(", ")})`,
      );
    }
  }
  const requirements = resolveRequirements(config, { title: "", body: null }).map((c) => ({
    ...c,
    targets: c.targets.filter((t) => !opts.env.length || opts.env.includes(t.environment)),
  }));
  const progress = (done: number, total: number) => {
    if (io.stderrIsTTY) io.stderr(`\r\x1b[Kchecking ${done}/${total} services…`);
  };
  if (!requirements.some((c) => c.targets.length)) {
    const diagnosis = evaluate(requirements, { source: "live", fetchedAt: new Date().toISOString(), services: [] });
    io.stdout(`${formatCheck(diagnosis, opts.format)}\n`);
    return exitCodeFor(diagnosis.verdict);
  }
  const configFile = resolve(io.cwd, opts.config);
  const settings = readCliSettings(io);
  const clients = cloudRunClientsFor(settings.cloudRun);
  const verifySecrets = secretVerifier(settings);
  let live: Awaited<ReturnType<typeof gatherLiveState>>;
  try {
    // Environments with `snapshot:` are read from the checkout; the rest live from Cloud Run.
    live = await gatherLiveState(onlyEnvironments(config, opts.env), {
      probe: probeHealth,
      fetchLive: async (targets) => {
        const plural = `${targets.length} service${targets.length === 1 ? "" : "s"}`;
        io.stderr(io.stderrIsTTY ? "" : `config-triage: checking ${plural}…\n`);
        const started = Date.now();
        const state = await fetchLiveState(clients, targets, {
          timeoutMs: settings.cloudRun.timeoutMs,
          onProgress: progress,
        });
        io.stderr(
          `${io.stderrIsTTY ? "\r\x1b[K" : ""}config-triage: checked ${plural} ` +
            `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        return state;
      },
      readSnapshot: readLocalSnapshot(configFile),
      snapshotWhere: `in the checkout (looked under ${repositoryRoot(configFile)} and ${dirname(configFile)})`,
      // The same Secret Manager check as the app, for the environments read live (a snapshot one stays offline).
      fetchSecrets: verifySecrets,
      checks: requirements,
      evaluateOptions: { servicePairs: config.service_pairs },
    });
  } finally {
    await Promise.all([clients.close(), verifySecrets?.close()]);
  }
  const diagnosis = evaluate(requirements, live, { servicePairs: config.service_pairs });
  io.stdout(`${formatCheck(diagnosis, opts.format, { live, checks: requirements })}\n`);
  return exitCodeFor(diagnosis.verdict);
}
