import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventQueue } from "../../adapters/queue/event-queue.js";
import type { AppMetrics } from "../../adapters/metrics/prometheus-metrics.js";

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RouteOptions {
  /** `/healthz` reports the queue's health (Redis reachable) next to the process's. */
  queue?: Pick<EventQueue, "kind" | "health">;
  /**
   * `METRICS_TOKEN`: `/metrics` answers only `Authorization: Bearer <token>` (401 otherwise). Without a token,
   * `/metrics` is not served here at all (404): the service is public on Cloud Run (`--allow-unauthenticated`).
   */
  metricsToken?: string;
}

function json(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers })
    .end(JSON.stringify(body));
}

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `GET /metrics`: Prometheus text format, behind the bearer token when one is given. */
export function metricsRoute(metrics: AppMetrics, token: string | undefined): Route {
  return async (req, res) => {
    if (token !== undefined && !hasBearer(req, token)) {
      return json(
        res,
        401,
        { error: "send Authorization: Bearer <METRICS_TOKEN>" },
        { "www-authenticate": 'Bearer realm="metrics"' },
      );
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" }).end(body);
  };
}

/**
 * The server's own endpoints, next to the webhook endpoint: `GET /healthz` (200 while the process serves requests and
 * its queue takes work; 503 with the reason when the queue's Redis does not answer) and `GET /metrics` (only with
 * `metricsToken`).
 */
export function serverRoutes(metrics: AppMetrics, options: RouteOptions = {}): Record<string, Route> {
  const routes: Record<string, Route> = {
    "/healthz": async (_req, res) => {
      const queue = options.queue;
      if (!queue) return json(res, 200, { status: "ok" });
      const health = await queue.health();
      if (health.ok) return json(res, 200, { status: "ok", queue: queue.kind });
      json(res, 503, { status: "unavailable", queue: queue.kind, error: health.error });
    },
  };
  if (options.metricsToken) routes["/metrics"] = metricsRoute(metrics, options.metricsToken);
  return routes;
}

/** The route for a GET or HEAD request, if any. */
export function matchRoute(routes: Record<string, Route>, req: IncomingMessage): Route | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const path = (req.url ?? "/").split("?")[0];
  return Object.hasOwn(routes, path) ? routes[path] : undefined;
}
