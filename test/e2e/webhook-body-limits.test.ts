/**
 * End to end on the real server (`node dist/entry/server/main.js`): what a stranger's request may cost before its
 * signature is checked. An oversize body is refused from its declared length, before it is sent; unverified bodies
 * together are bounded, the excess answered 503 at once; a malformed signature is refused without reading the body.
 * (Memory held under many bad deliveries is measured in `bench/bad-deliveries.ts`, not here.)
 */
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { appEnv, randomUUID, startApp, waitFor, type AppProcess } from "../../dev/app-server.js";

const MB = 1024 * 1024;
let app: AppProcess;

beforeAll(async () => {
  // No GitHub and no Cloud Run are needed: the deliveries that pass are pings, which no feature handles.
  app = await startApp({
    env: appEnv({ appId: 5, githubHost: "127.0.0.1:9", cloudRunAddress: "127.0.0.1:9", secret: "s3cret" }),
  });
}, 60_000);
afterAll(() => app.stop());

/** Opens a webhook POST that declares `length` bytes and sends only `send` of them; resolves on the answer. */
function openDelivery(
  length: number,
  send: number,
): { req: ClientRequest; answer: Promise<{ status: number; body: string; headers: IncomingMessage["headers"] }> } {
  const req = request(`${app.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": String(length),
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
    },
  });
  const answer = new Promise<{ status: number; body: string; headers: IncomingMessage["headers"] }>(
    (resolve, reject) => {
      req.on("response", (res) => {
        res.on("error", reject);
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      });
      req.on("error", reject);
    },
  );
  req.flushHeaders();
  if (send) req.write(Buffer.alloc(send, 0x20));
  return { req, answer };
}

it("a body declared over 25 MB is answered 413 before it is sent", async () => {
  const { req, answer } = openDelivery(26 * MB, 0);
  const { status, body, headers } = await answer;
  expect(status).toBe(413);
  expect(JSON.parse(body)).toEqual({ error: `payload larger than ${25 * MB} bytes` });
  expect(headers.connection).toBe("close");
  // Not one byte of the body was sent: the answer came from the declared length alone.
  expect(req.socket?.bytesWritten ?? 0).toBeLessThan(1024);
  req.destroy();
});

it("unverified bodies together hold at most 50 MB: the excess is 503 at once, and the room comes back", async () => {
  // Five strangers each declare 20 MB and send 1 KB, then hold the connection open: two fit, three are refused at
  // once (which two depends on arrival order, so wait for any three answers).
  const held = Array.from({ length: 5 }, () => openDelivery(20 * MB, 1024));
  const answered: Array<{ status: number; body: string; headers: IncomingMessage["headers"] }> = [];
  for (const d of held) {
    d.answer.then(
      (a) => answered.push(a),
      () => undefined,
    );
  }
  await waitFor("three answers", () => (answered.length >= 3 ? true : undefined), 20_000);
  await new Promise((r) => setTimeout(r, 200));
  expect(answered).toHaveLength(3);
  for (const r of answered) {
    expect(r.status).toBe(503);
    expect(r.headers["retry-after"]).toBe("10");
    expect(JSON.parse(r.body)).toEqual({ error: "too many deliveries being received; redeliver later" });
  }
  // A genuine delivery of 20 MB does not fit either while the two are held...
  const busy = openDelivery(20 * MB, 0);
  expect((await busy.answer).status).toBe(503);
  busy.answer.catch(() => undefined);
  busy.req.destroy();
  // ...and is taken once they go away (a small signed delivery was never refused: it fits in what is left).
  expect(await app.deliver("ping", { zen: "Keep it logically awesome." })).toBe(202);
  for (const d of held) d.req.destroy();
  const big = { zen: "x".repeat(20 * MB) };
  // The server lets go of the two as it sees their connections close (at the latest when its 20 s request deadline,
  // checked every 5 s, closes them).
  // (A refused one may see its connection closed before its upload ends: that counts as not yet.)
  const seen: unknown[] = [];
  const taken = async () => {
    const status = await app
      .deliver("ping", big)
      .catch((e: Error) => `${e.message} ${(e.cause as Error)?.message ?? ""}`);
    seen.push(status);
    return status === 202 ? true : undefined;
  };
  await waitFor("the 20 MB delivery to be taken", taken, 60_000, 200).catch((e: Error) => {
    throw new Error(
      `${e.message}; answers: ${JSON.stringify(seen.slice(0, 5))} … ${seen.length}; log: ` +
        `${app.logs.join("").slice(-2000)}`,
    );
  });
}, 120_000);

it("a signature that is not sha256=<64 hex digits> is refused (401) without reading the body", async () => {
  const req = request(`${app.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-length": String(10 * MB),
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": "sha1=abc",
    },
  });
  const status = await new Promise<number>((resolve, reject) => {
    req.on("response", (res) => resolve(res.statusCode!));
    req.on("error", reject);
    req.flushHeaders();
  });
  expect(status).toBe(401);
  req.destroy();
});
