import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppMetrics } from "./metrics.js";

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * The server's own endpoints, next to Probot's webhook middleware: `GET /healthz` (the process serves requests) and
 * `GET /metrics` (Prometheus text format).
 */
export function serverRoutes(metrics: AppMetrics): Record<string, Route> {
  return {
    "/healthz": (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ status: "ok" }));
    },
    "/metrics": async (_req, res) => {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
    },
  };
}

/** The route for a GET or HEAD request, if any. */
export function matchRoute(routes: Record<string, Route>, req: IncomingMessage): Route | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const path = (req.url ?? "/").split("?")[0];
  return Object.hasOwn(routes, path) ? routes[path] : undefined;
}
