import { createServer } from "node:http";
import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import { defaultDeps } from "./app-deps.js";
import { createApp } from "./index.js";
import { createLogger } from "./server/create-logger.js";
import { createMetrics, githubRequestMetrics } from "./server/metrics.js";
import { matchRoute, serverRoutes } from "./server/routes.js";

/**
 * `npm start`: Probot's webhook server for the app. Reads APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET,
 * PORT, HOST, GHE_HOST/GHE_PROTOCOL and LOG_LEVEL like any Probot app (see .env.example).
 */
async function main(): Promise<void> {
  const metrics = createMetrics();
  const log = createLogger();
  const probot = createProbot({ overrides: { Octokit: ProbotOctokit.plugin(githubRequestMetrics(metrics)), ...(log ? { log } : {}) } });
  const middleware = await createNodeMiddleware(createApp(defaultDeps(process.env, metrics)), { probot });
  const routes = serverRoutes(metrics);
  const server = createServer((req, res) => {
    const route = matchRoute(routes, req);
    if (route) return void route(req, res);
    void middleware(req, res, () => {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
    });
  });
  const port = Number(process.env.PORT) || 3000;
  const host = process.env.HOST || "localhost";
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === "object" && address ? address.port : port;
    probot.log.info(`config-triage listening on http://${host}:${actual}${process.env.WEBHOOK_PATH || "/api/github/webhooks"}`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 9_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
