import { Context, createProbot, ProbotOctokit } from "probot";
import { defaultDeps } from "./app-deps.js";
import { issueGitHubFromContext } from "./github/issue-github.js";
import { githubTimeoutMs, timedFetch } from "./github/timed-fetch.js";
import { createApp } from "./index.js";
import { describeFailure, queueSettings, type EventQueue, type EventRunner, type QueuedEvent } from "./queue/event-queue.js";
import { createMemoryQueue } from "./queue/memory-queue.js";
import { createWebhookServer } from "./server/create-webhook-server.js";
import { createLogger } from "./server/create-logger.js";
import { createMetrics, githubRequestMetrics } from "./server/metrics.js";
import { matchRoute, serverRoutes } from "./server/routes.js";
import { reportFailure } from "./triage/report-failure.js";

/** What a person can do after a run gave up; the next run repairs whatever this one left. */
const NEXT_STEP =
  "nothing more happens by itself. Remove and add the trigger label again (or redeliver the webhook from the app's settings) to run it again: the next run reads what this one wrote and only adds what is missing.";

/**
 * `npm start`: the webhook server. Verified deliveries are queued and answered at once (202); workers run them through
 * Probot. Reads Probot's variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL, ...) and the queue's
 * (REDIS_URL, QUEUE_CONCURRENCY, ...): see .env.example.
 */
async function main(): Promise<void> {
  const env = process.env;
  if (!env.WEBHOOK_SECRET) throw new Error("WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App (see .env.example)");
  const metrics = createMetrics();
  const logger = createLogger();
  // Every GitHub request (token minting included) gives up after GITHUB_REQUEST_TIMEOUT_MS: a hung one is a retryable fault.
  const request = { fetch: timedFetch(githubTimeoutMs(env)) };
  const probot = createProbot({ overrides: { Octokit: ProbotOctokit.plugin(githubRequestMetrics(metrics)), request, ...(logger ? { log: logger } : {}) } });
  const deps = defaultDeps(env, metrics);
  await probot.load(createApp(deps));
  void deps.warmUp?.().catch((error) => probot.log.warn({ err: error }, "could not prepare the Cloud Run clients; the first triage will try again"));
  const log = probot.log.child({ name: "queue" });
  const settings = queueSettings(env);

  const runner: EventRunner = {
    async run(event) {
      await probot.receive(event as Parameters<typeof probot.receive>[0]);
    },
    async giveUp(event: QueuedEvent, error, attempts) {
      const why = describeFailure(error);
      log.error({ delivery: event.id, event: event.name, attempts, why }, "event failed for good");
      const installation = event.payload?.installation?.id;
      if (!event.payload?.issue || !event.payload?.repository || installation === undefined) return;
      const octokit = await probot.auth(installation);
      const gh = issueGitHubFromContext(new Context(event as any, octokit, log) as any);
      await reportFailure(gh, deps.identity, why, NEXT_STEP);
    },
  };
  let queue: EventQueue;
  if (env.REDIS_URL) {
    const { createRedisQueue } = await import("./queue/redis-queue.js");
    queue = await createRedisQueue(env.REDIS_URL, settings, runner, log);
  } else {
    queue = createMemoryQueue(settings, runner, log);
  }

  metrics.measureQueueDepth(() => queue.depth());
  const routes = serverRoutes(metrics);
  const server = createWebhookServer({ secret: env.WEBHOOK_SECRET, path: env.WEBHOOK_PATH, queue, log, route: (req) => matchRoute(routes, req) });
  const port = Number(env.PORT) || 3000;
  const host = env.HOST || "localhost";
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === "object" && address ? address.port : port;
    probot.log.info({ queue: queue.kind }, `config-triage listening on http://${host}:${actual}${env.WEBHOOK_PATH || "/api/github/webhooks"}`);
  });

  // Cloud Run sends SIGTERM and kills the container 10 s later: stop taking work, give the running events the grace
  // period, hand back (Redis) or log (memory) what is left. The server keeps listening meanwhile, so a delivery that
  // still arrives is answered 503 (GitHub shows it failed; redeliver it) instead of finding the port closed.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const grace = Number(env.SHUTDOWN_GRACE_MS) || 8_000;
    log.info({ graceMs: grace }, "shutting down: new deliveries are answered 503, running events get the grace period");
    setTimeout(() => process.exit(0), grace + 1_500).unref();
    await queue.close(grace).catch((error) => log.error({ err: error }, "queue did not close cleanly"));
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
