import { createServer } from "node:http";
import { Context, createProbot, ProbotOctokit } from "probot";
import { defaultDeps } from "../app-deps.js";
import { withBoundedWrites } from "../../adapters/github/bounded-writes.js";
import { pacePerInstallation } from "../../adapters/github/pace-per-installation.js";
import { issueGitHubFromContext } from "../../adapters/github/issue-github.js";
import { timedFetch } from "../../adapters/github/timed-fetch.js";
import { shouldReportFailure } from "../../use-cases/asked-for-triage.js";
import { createApp } from "../create-app.js";
import { GoogleCredentialsError } from "../../adapters/cloud-run/create-clients.js";
import {
  describeFailure,
  type EventQueue,
  type EventRunner,
  type QueuedEvent,
} from "../../adapters/queue/event-queue.js";
import { createMemoryQueue } from "../../adapters/queue/memory-queue.js";
import { createWebhookServer } from "./create-webhook-server.js";
import { createLogger } from "./create-logger.js";
import { forwardDeliveries } from "./forward-deliveries.js";
import { guardProcess } from "./guard-process.js";
import { loadDotEnv, readServerEnv } from "./read-server-env.js";
import { createMetrics, githubRequestMetrics } from "../../adapters/metrics/prometheus-metrics.js";
import { matchRoute, metricsRoute, serverRoutes } from "./routes.js";
import { reportFailure } from "../../use-cases/triage/report-failure.js";

/** What a person can do after a run gave up; the next run repairs whatever this one left. */
const NEXT_STEP =
  "nothing more happens by itself. Remove and add the trigger label again (or redeliver the webhook from the app's " +
  "settings) to run it again: the next run reads what this one wrote and only adds what is missing.";

/**
 * `npm start`: the webhook server. Reads `.env` (without overriding the environment), checks every setting at once
 * (`readServerEnv`), then serves: verified deliveries are queued and answered at once (202); workers run them through
 * Probot. With WEBHOOK_PROXY_URL, deliveries sent to that smee.io channel are forwarded to the server.
 * See .env.example.
 */
async function main(): Promise<void> {
  const env = process.env;
  loadDotEnv(env);
  const read = readServerEnv(env);
  if (!read.ok) {
    process.stderr.write(
      `config-triage cannot start: ${read.problems.length === 1 ? "this setting needs" : "these settings need"} ` +
        `fixing (see .env.example):\n${read.problems.map((p) => `  - ${p}\n`).join("")}`,
    );
    process.exitCode = 1;
    return;
  }
  const settings = read.settings;
  const metrics = createMetrics();
  const logger = createLogger();
  // Every GitHub request (token minting included) gives up after GITHUB_REQUEST_TIMEOUT_MS: a hung one is a retryable
  // fault.
  const request = { fetch: timedFetch(settings.githubTimeoutMs) };
  const probot = createProbot({
    overrides: {
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.webhookSecret,
      // pino takes "silent" too; Probot's type leaves it out.
      logLevel: settings.logLevel as "info",
      Octokit: pacePerInstallation(ProbotOctokit.plugin(githubRequestMetrics(metrics))),
      request,
      ...(logger ? { log: logger } : {}),
    },
  });
  // From here on, no library error ends the process: it fails the event it came from, or is logged.
  const guard = guardProcess(probot.log);
  const deps = defaultDeps(env, metrics);
  await probot.load(createApp(deps));
  void deps
    .warmUp?.()
    .catch((error) =>
      error instanceof GoogleCredentialsError
        ? probot.log.warn(
            `no Google credentials (${error.message}): ` +
              `triages will report "could not check" until there are (docs/setup.md: Set up the GitHub App)`,
          )
        : probot.log.warn({ err: error }, "could not prepare the Cloud Run clients; the first triage will try again"),
    );
  const log = probot.log.child({ name: "queue" });

  const runner: EventRunner = {
    async run(event) {
      await guard.runJob(event.id, () => probot.receive(event as Parameters<typeof probot.receive>[0]));
    },
    async giveUp(event: QueuedEvent, error, attempts) {
      const why = describeFailure(error);
      log.error({ delivery: event.id, event: event.name, attempts, why }, "event failed for good");
      const installation = event.payload?.installation?.id;
      if (!event.payload?.issue || !event.payload?.repository || installation === undefined) return;
      if (!shouldReportFailure(event, error)) {
        const message = "failure not reported on the issue: the event did not ask for a triage";
        log.warn({ delivery: event.id, event: event.name }, message);
        return;
      }
      const octokit = await probot.auth(installation);
      // biome-ignore lint/suspicious/noExplicitAny: a queued payload, typed by Probot's event name at runtime
      const context = new Context(event as any, octokit, log) as any;
      const gh = withBoundedWrites(issueGitHubFromContext(context, undefined, deps.ownIssuesBy));
      await reportFailure(gh, deps.identity, why, NEXT_STEP);
    },
  };
  let queue: EventQueue;
  if (settings.redisUrl) {
    const { createRedisQueue } = await import("../../adapters/queue/redis-queue.js");
    queue = await createRedisQueue(settings.redisUrl, settings.queue, runner, log, {
      prefix: settings.queuePrefix,
      lockMs: settings.queueLockMs,
    });
  } else {
    queue = createMemoryQueue(settings.queue, runner, log);
  }

  metrics.measureQueueDepth(() => queue.depth());
  const metricsToken = env.METRICS_TOKEN || undefined;
  const routes = serverRoutes(metrics, { queue, metricsToken });
  // METRICS_PORT: /metrics on a port of its own (loopback by default), for a scraper beside the app; Cloud Run
  // exposes only PORT. The token, when set, is asked there too.
  if (env.METRICS_PORT) {
    const only = metricsRoute(metrics, metricsToken);
    const metricsServer = createServer((req, res) => {
      if (matchRoute({ "/metrics": only }, req)) return void only(req, res);
      res.writeHead(404).end();
    });
    metricsServer.listen(Number(env.METRICS_PORT), env.METRICS_HOST || "127.0.0.1");
    metricsServer.unref();
  }
  const server = createWebhookServer({
    secret: settings.webhookSecret,
    path: settings.webhookPath,
    queue,
    log,
    route: (req) => matchRoute(routes, req),
  });
  const { port, host, webhookPath } = settings;
  let proxy: { stop(): Promise<void> } | undefined;
  server.listen(port || 3000, host, () => {
    const address = server.address();
    const actual = typeof address === "object" && address ? address.port : port;
    probot.log.info({ queue: queue.kind }, `config-triage listening on http://${host}:${actual}${webhookPath}`);
    if (settings.webhookProxyUrl) {
      forwardDeliveries(
        settings.webhookProxyUrl,
        localUrl(host, actual, webhookPath),
        probot.log.child({ name: "smee" }),
      ).then(
        (client) => (proxy = client),
        (error) =>
          probot.log.error(
            { err: error },
            `WEBHOOK_PROXY_URL: could not connect to ${settings.webhookProxyUrl}; ` +
              "deliveries sent there are not received",
          ),
      );
    }
  });

  // Cloud Run sends SIGTERM and kills the container 10 s later: stop taking work, give the running events the grace
  // period, hand back (Redis) or log (memory) what is left. The server keeps listening meanwhile, so a delivery that
  // still arrives is answered 503 (GitHub shows it failed; redeliver it) instead of finding the port closed.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const grace = settings.shutdownGraceMs || 8_000;
    log.info({ graceMs: grace }, "shutting down: new deliveries are answered 503, running events get the grace period");
    setTimeout(() => process.exit(0), grace + 1_500).unref();
    await proxy?.stop().catch(() => undefined);
    await queue.close(grace).catch((error) => log.error({ err: error }, "queue did not close cleanly"));
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

/** The server's own address, for the proxy to post to (a wildcard host is reached on loopback). */
function localUrl(host: string, port: number, path: string): string {
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${reachable}:${port}${path}`;
}

main().catch((error) => {
  console.error(`config-triage could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
