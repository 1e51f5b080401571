import { probeHealth } from "../../adapters/cloud-run/probe-health.js";
import { createServer } from "node:http";
import { Context, createProbot, ProbotOctokit, type Logger } from "probot";
import { wireApp } from "../wire-app.js";
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
import { createMemoryQueue, type QueueLog } from "../../adapters/queue/memory-queue.js";
import { createWebhookServer } from "./create-webhook-server.js";
import { createLogger } from "./create-logger.js";
import { forwardDeliveries } from "./forward-deliveries.js";
import { guardProcess } from "./guard-process.js";
import { loadDotEnv, readServerSettings } from "../read-settings.js";
import { createMetrics, githubRequestMetrics } from "../../adapters/metrics/prometheus-metrics.js";
import { matchRoute, metricsRoute, serverRoutes } from "./routes.js";
import { reportFailure } from "../../use-cases/triage/report-failure.js";
import { triggerLabels } from "../../use-cases/label-trigger.js";
import { issueGitHubFor } from "../../adapters/github/issue-github-for.js";
import { watchKey, type Watch } from "../../domain/follow-up-plan/decide-watch.js";
import { createMemoryWatchScheduler } from "../../adapters/queue/memory-watch-scheduler.js";
import { WATCH_EVENT, watchEvent } from "../../adapters/queue/watch-event.js";
import { recheckWatched, type WatchedIssue } from "../../use-cases/triage/recheck-watched.js";
import { bindWatch } from "../../use-cases/triage/watch-scheduler.js";

/** What a person can do after a run gave up; the next run repairs whatever this one left. */
const NEXT_STEP =
  "nothing more happens by itself. Remove and add the trigger label again (or redeliver the webhook from the app's " +
  "settings) to run it again: the next run reads what this one wrote and only adds what is missing.";

/**
 * `npm start`: the webhook server. Reads `.env` (without overriding the environment), checks every setting at once
 * (`readServerSettings`, the one reader of the environment), then serves: verified deliveries are queued and
 * answered at once (202); workers run them through Probot. With WEBHOOK_PROXY_URL, deliveries sent to that smee.io
 * channel are forwarded to the server. See .env.example.
 */
async function main(): Promise<void> {
  loadDotEnv(process.env);
  const read = readServerSettings(process.env);
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
  const logger = createLogger(settings);
  // Every GitHub request (token minting included) gives up after GITHUB_REQUEST_TIMEOUT_MS: a hung one is a retryable
  // fault.
  const request = { fetch: timedFetch(settings.app.githubTimeoutMs) };
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
  const deps = wireApp(settings.app, metrics);
  // Probot makes its logger when the app is loaded; the watches are made before (the app's features take them).
  let log: QueueLog & Logger = undefined as never;
  const lateLog: QueueLog = {
    info: (o, m) => log.info(o, m),
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
  };
  // Watched issues: a due watch is queued like a webhook, behind the issue's other events (the queue is created below).
  let queue: EventQueue;
  let queueReady: (q: EventQueue) => void = () => undefined;
  const ready = new Promise<EventQueue>((resolve) => (queueReady = resolve));
  const onDue = async (watch: Watch) => {
    const queued = await (await ready).enqueue(watchEvent(watch, Date.now()));
    if (queued !== "queued") lateLog.warn({ issue: watch.number, queued }, "a due recheck was not queued");
  };
  const watchLimits = { onDue, max: settings.watch.maxPerInstallation };
  const watches = settings.app.redisUrl
    ? await (await import("../../adapters/queue/redis-watch-scheduler.js")).createRedisWatchScheduler(
        settings.app.redisUrl,
        {
          ...watchLimits,
          prefix: settings.queuePrefix,
          log: lateLog,
        },
      )
    : createMemoryWatchScheduler(watchLimits);
  deps.watches = watches;
  deps.watchMinEveryMs = settings.watch.minEveryMs;
  await probot.load(createApp(deps));
  log = probot.log.child({ name: "queue" });
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

  /** A due watch: the issue as GitHub has it now, then the scheduled recheck (`recheckWatched`). */
  async function recheck(event: QueuedEvent): Promise<void> {
    const watch = event.payload.watch as Watch;
    const octokit = await probot.auth(watch.installation);
    const ref = { owner: watch.owner, repo: watch.repo, issue_number: watch.number };
    const issue = await octokit.rest.issues.get(ref).then(
      (r) => r.data,
      (error) => {
        if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 410)
          return undefined;
        throw error;
      },
    );
    if (!issue) {
      await watches.stop(watchKey(watch));
      log.info({ issue: watch.number }, "watch ended: the issue is gone (deleted or transferred)");
      return;
    }
    const payload = { ...event.payload, action: "scheduled", issue };
    // biome-ignore lint/suspicious/noExplicitAny: a scheduled recheck's payload, shaped as an issues event for Probot
    const context = new Context({ id: event.id, name: "issues", payload } as any, octokit, log) as any;
    const gh = withBoundedWrites(issueGitHubFor(context, deps, watch.number));
    const configRead = await gh.readConfig();
    await recheckWatched({
      watch,
      now: Date.now(),
      issue: issue as WatchedIssue,
      gh,
      configRead,
      triggerLabels: triggerLabels(configRead),
      deps: { ...deps, log, probeHealth, watch: bindWatch(watches, watch) },
    });
  }

  const runner: EventRunner = {
    async run(event) {
      if (event.name === WATCH_EVENT) return guard.runJob(event.id, () => recheck(event));
      await guard.runJob(event.id, () => probot.receive(event as Parameters<typeof probot.receive>[0]));
    },
    async giveUp(event: QueuedEvent, error, attempts) {
      const why = describeFailure(error);
      log.error({ delivery: event.id, event: event.name, attempts, why }, "event failed for good");
      // A scheduled recheck that failed is not reported on the issue: nobody asked for it, and the next one retries.
      if (event.name === WATCH_EVENT) return;
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
  if (settings.app.redisUrl) {
    const { createRedisQueue } = await import("../../adapters/queue/redis-queue.js");
    queue = await createRedisQueue(settings.app.redisUrl, settings.queue, runner, log, {
      prefix: settings.queuePrefix,
      lockMs: settings.queueLockMs,
    });
  } else {
    queue = createMemoryQueue(settings.queue, runner, log);
  }

  const events = queue;
  queueReady(events);
  metrics.measureQueueDepth(() => events.depth());
  const metricsToken = settings.metrics.token;
  const routes = serverRoutes(metrics, { queue, metricsToken });
  // METRICS_PORT: /metrics on a port of its own (loopback by default), for a scraper beside the app; Cloud Run
  // exposes only PORT. The token, when set, is asked there too.
  if (settings.metrics.port) {
    const only = metricsRoute(metrics, metricsToken);
    const metricsServer = createServer((req, res) => {
      if (matchRoute({ "/metrics": only }, req)) return void only(req, res);
      res.writeHead(404).end();
    });
    metricsServer.listen(settings.metrics.port, settings.metrics.host);
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
    await watches.close().catch((error) => log.error({ err: error }, "watches did not close cleanly"));
    await events.close(grace).catch((error) => log.error({ err: error }, "queue did not close cleanly"));
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
