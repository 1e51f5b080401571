import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { EventQueue } from "../queue/event-queue.js";
import type { QueueLog } from "../queue/memory-queue.js";
import { verifySignature } from "./verify-signature.js";

/** GitHub caps webhook payloads at 25 MB. */
const MAX_BODY = 25 * 1024 * 1024;

export interface WebhookServerOptions {
  secret: string;
  /** Default `/api/github/webhooks`. */
  path?: string;
  queue: EventQueue;
  log: QueueLog;
  /** The server's other endpoints (`/healthz`, `/metrics`), tried first. */
  route?: (req: IncomingMessage) => ((req: IncomingMessage, res: ServerResponse) => void | Promise<void>) | undefined;
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * The webhook endpoint. It answers as soon as a delivery is verified and queued (202), long before the triage runs:
 * GitHub gives up on a delivery after 10 s and a triage under GitHub's write pacing takes longer.
 * - no `X-Hub-Signature-256`, event or delivery header: 400; a wrong signature: 401. Both before the body is parsed.
 * - a delivery id already queued (a redelivery): 200 `{"status":"duplicate"}`, nothing runs.
 * - while shutting down: 503, so the delivery shows as failed on GitHub and can be redelivered.
 * `GET /healthz` answers 200 for load balancers.
 */
export function createWebhookServer(options: WebhookServerOptions): Server {
  const path = options.path || "/api/github/webhooks";
  const { queue, log } = options;
  return createServer(async (req, res) => {
    try {
      const other = options.route?.(req);
      if (other) return void (await other(req, res));
      const url = (req.url ?? "/").split("?")[0];
      if (req.method === "GET" && (url === "/healthz" || url === "/")) return reply(res, 200, { status: "ok", queue: queue.kind });
      if (url !== path) return reply(res, 404, { error: "not found" });
      if (req.method !== "POST") return reply(res, 405, { error: "use POST" });
      const signature = req.headers["x-hub-signature-256"];
      const name = req.headers["x-github-event"];
      const id = req.headers["x-github-delivery"];
      if (typeof signature !== "string" || typeof name !== "string" || typeof id !== "string" || !id) {
        return reply(res, 400, { error: "missing x-hub-signature-256, x-github-event or x-github-delivery header" });
      }
      const body = await readBody(req);
      if (!body) return reply(res, 413, { error: "payload larger than 25 MB" });
      if (!verifySignature(options.secret, body, signature)) {
        log.warn({ delivery: id, event: name }, "webhook refused: signature does not match WEBHOOK_SECRET");
        return reply(res, 401, { error: "signature does not match" });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString("utf8"));
      } catch {
        return reply(res, 400, { error: "body is not JSON" });
      }
      const result = await queue.enqueue({ id, name, payload });
      if (result === "closing") return reply(res, 503, { error: "shutting down; redeliver later" });
      if (result === "duplicate") log.info({ delivery: id, event: name }, "redelivery ignored: this delivery was already queued");
      return reply(res, result === "queued" ? 202 : 200, { status: result });
    } catch (error) {
      log.error({ err: error }, "webhook could not be queued");
      if (!res.headersSent) reply(res, 500, { error: "could not queue the event" });
    }
  });
}
