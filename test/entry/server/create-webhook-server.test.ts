/**
 * The webhook server's bounds on bodies it has not verified, with small limits so a chunked body (no declared length)
 * can be shown crossing them: past the body cap it is 413, past the room for unverified bodies 503; a body within both
 * that is signed is queued.
 */
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { EventQueue, QueuedEvent } from "../../../src/adapters/queue/event-queue.js";
import { createWebhookServer } from "../../../src/entry/server/create-webhook-server.js";
import { signBody } from "../../../src/entry/server/verify-signature.js";

const queued: QueuedEvent[] = [];
const queue: EventQueue = {
  kind: "memory",
  enqueue: async (e) => (queued.push(e), "queued"),
  depth: async () => 0,
  health: async () => ({ ok: true }),
  close: async () => [],
};
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
let server: Server;
let url: string;

beforeAll(async () => {
  server = createWebhookServer({ secret: "s3cret", queue, log, maxBodyBytes: 1_000, maxUnverifiedBytes: 1_500 });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

/** A chunked POST (no content-length): writes `chunks` one by one, then ends unless `hold`; resolves on the answer. */
function chunked(chunks: string[], o: { signature?: string; hold?: boolean } = {}) {
  const req = request(url, {
    method: "POST",
    headers: {
      "x-github-event": "ping",
      "x-github-delivery": `d-${Math.random()}`,
      "x-hub-signature-256": o.signature ?? `sha256=${"0".repeat(64)}`,
    },
  });
  const answer = new Promise<number>((resolve, reject) => {
    req.on("response", (res) => {
      res.on("error", () => undefined);
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
  });
  for (const c of chunks) req.write(c);
  if (!o.hold) req.end();
  return { req, answer };
}

it("a chunked body that grows past the body cap is 413", async () => {
  const { req, answer } = chunked(["x".repeat(600), "x".repeat(600)], { hold: true });
  expect(await answer).toBe(413);
  req.destroy();
});

it("a chunked body past the room left for unverified bodies is 503; a signed one within it is queued", async () => {
  const first = chunked(["x".repeat(900)], { hold: true });
  // Wait until the server holds the first one: a second of 900 bytes does not fit in 1,500.
  let status = 0;
  for (let i = 0; i < 100 && status !== 503; i++) status = await chunked(["y".repeat(900)]).answer.catch(() => 0);
  expect(status).toBe(503);
  first.req.destroy();
  await first.answer.catch(() => undefined);
  const body = JSON.stringify({ zen: "small" });
  let queuedStatus = 0;
  for (let i = 0; i < 100 && queuedStatus !== 202; i++)
    queuedStatus = await chunked([body], { signature: signBody("s3cret", body) }).answer.catch(() => 0);
  expect(queuedStatus).toBe(202);
  expect(queued.at(-1)!.payload).toEqual({ zen: "small" });
});
