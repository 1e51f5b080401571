import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { EventQueue } from "../../adapters/queue/event-queue.js";
import type { QueueLog } from "../../adapters/queue/memory-queue.js";
import { signatureCheck, type SignatureCheck } from "./verify-signature.js";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;
/** Bytes of bodies not yet verified held at once, all requests together: two deliveries of GitHub's largest. */
export const MAX_UNVERIFIED_BYTES = 2 * MAX_BODY_BYTES;
/** A request must arrive whole within this (GitHub itself gives up on a delivery after 10 s). */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface WebhookServerOptions {
  secret: string;
  /** Default `/api/github/webhooks`. */
  path?: string;
  queue: EventQueue;
  log: QueueLog;
  /** The server's other endpoints (`/healthz`, `/metrics`), tried first. */
  route?: (req: IncomingMessage) => ((req: IncomingMessage, res: ServerResponse) => void | Promise<void>) | undefined;
  /** Largest body accepted (default `MAX_BODY_BYTES`); larger is 413. */
  maxBodyBytes?: number;
  /** Unverified bytes held at once by every request together (default `MAX_UNVERIFIED_BYTES`); past it, 503. */
  maxUnverifiedBytes?: number;
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** Answers before the body is read, and closes the connection instead of reading (or draining) the rest. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  req.pause();
  res.on("finish", () => req.socket.destroySoon());
  reply(res, status, body, { connection: "close", ...headers });
}

type BodyRead =
  | { kind: "ok"; body: Buffer; signed: boolean }
  | { kind: "too-large" }
  | { kind: "busy" }
  | { kind: "aborted" };

const BUSY = { error: "too many deliveries being received; redeliver later" };
const RETRY = { "retry-after": "10" };

/**
 * Reads a body through the signature check, chunk by chunk, within `max` bytes; `reserve(n)` must grant every byte
 * beyond what was reserved up front (the declared length) or the read stops ("busy"). A body of declared length is
 * copied into one buffer of that size as it arrives, so it is never held twice.
 */
function readBody(
  req: IncomingMessage,
  max: number,
  check: SignatureCheck,
  declared: number | undefined,
  reserve: (n: number) => boolean,
): Promise<BodyRead> {
  return new Promise((resolve) => {
    const whole = declared ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let reserved = declared ?? 0;
    const done = (result: BodyRead) => {
      req.removeAllListeners("data");
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      if (size + chunk.length > max) return done({ kind: "too-large" });
      if (size + chunk.length > reserved) {
        if (!reserve(size + chunk.length - reserved)) return done({ kind: "busy" });
        reserved = size + chunk.length;
      }
      check.update(chunk);
      // Node's parser never delivers more than the declared length.
      if (whole) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    });
    req.on("end", () => {
      const body = whole ? whole.subarray(0, size) : Buffer.concat(chunks, size);
      done({ kind: "ok", body, signed: check.matches() });
    });
    req.on("error", () => done({ kind: "aborted" }));
    req.on("close", () => done({ kind: "aborted" }));
  });
}

/**
 * The webhook endpoint. It answers as soon as a delivery is verified and queued (202), long before the triage runs:
 * GitHub gives up on a delivery after 10 s and a triage under GitHub's write pacing takes longer.
 * - no `X-Hub-Signature-256`, event or delivery header: 400; a wrong signature: 401. Both before the body is parsed.
 * - bounded before it is verified: a declared length over 25 MB is 413 before a byte is read (413 too when an
 *   undeclared body grows past it); the body is hashed as it arrives; all unverified bodies together hold at most
 *   50 MB (a delivery that would pass it is 503 with `retry-after`); a request must arrive whole within 20 s.
 * - a delivery id already queued (a redelivery): 200 `{"status":"duplicate"}`, nothing runs.
 * - while shutting down: 503, so the delivery shows as failed on GitHub and can be redelivered.
 * - when the queue cannot store it in time (Redis down): 503 as well; nothing was queued.
 * `GET /healthz` answers 200 for load balancers.
 */
export function createWebhookServer(options: WebhookServerOptions): Server {
  const path = options.path || "/api/github/webhooks";
  const { queue, log } = options;
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const maxUnverified = options.maxUnverifiedBytes ?? MAX_UNVERIFIED_BYTES;
  let unverified = 0;
  // A stranger's slow or silent body is not held for Node's default 5 minutes: the whole request must arrive within
  // REQUEST_TIMEOUT_MS, checked every 5 s (the room it reserved comes back when Node closes it).
  const server = createServer(
    { requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 5_000 },
    async (req, res) => {
      try {
        const other = options.route?.(req);
        if (other) return void (await other(req, res));
        const url = (req.url ?? "/").split("?")[0];
        if (req.method === "GET" && (url === "/healthz" || url === "/"))
          return reply(res, 200, { status: "ok", queue: queue.kind });
        if (url !== path) return reply(res, 404, { error: "not found" });
        if (req.method !== "POST") return reply(res, 405, { error: "use POST" });
        const signature = req.headers["x-hub-signature-256"];
        const name = req.headers["x-github-event"];
        const id = req.headers["x-github-delivery"];
        if (typeof signature !== "string" || typeof name !== "string" || typeof id !== "string" || !id) {
          return reply(res, 400, { error: "missing x-hub-signature-256, x-github-event or x-github-delivery header" });
        }
        const declared =
          req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
        const tooLarge = { error: `payload larger than ${maxBody} bytes` };
        if (declared !== undefined && declared > maxBody) return refuse(req, res, 413, tooLarge);
        const check = signatureCheck(options.secret, signature);
        if (!check) return refuse(req, res, 401, { error: "signature is not of the form sha256=<64 hex digits>" });
        // What is not yet verified is anyone's: hold at most maxUnverified bytes of it at once, all requests together.
        let reserved = 0;
        const reserve = (n: number) => {
          if (unverified + n > maxUnverified) return false;
          unverified += n;
          reserved += n;
          return true;
        };
        if (!reserve(declared ?? 0)) return refuse(req, res, 503, BUSY, RETRY);
        let read: BodyRead;
        try {
          read = await readBody(req, maxBody, check, declared, reserve);
        } finally {
          unverified -= reserved;
        }
        if (read.kind === "aborted") return;
        if (read.kind === "too-large") return refuse(req, res, 413, tooLarge);
        if (read.kind === "busy") return refuse(req, res, 503, BUSY, RETRY);
        const body = read.body;
        if (!read.signed) {
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
        if (result === "unavailable")
          return reply(res, 503, { error: "the queue is unavailable (Redis); redeliver later" });
        if (result === "duplicate")
          log.info({ delivery: id, event: name }, "redelivery ignored: this delivery was already queued");
        return reply(res, result === "queued" ? 202 : 200, { status: result });
      } catch (error) {
        log.error({ err: error }, "webhook could not be queued");
        if (!res.headersSent) reply(res, 500, { error: "could not queue the event" });
      }
    },
  );
  return server;
}
