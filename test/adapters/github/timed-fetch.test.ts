/**
 * The per-request GitHub timeout: a loopback server that answers, hangs before its headers, or hangs half-way through
 * its body; Octokit (with Probot's retry off) on top, as the app uses it.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { DEFAULT_GITHUB_TIMEOUT_MS, githubTimeoutMs, timedFetch } from "../../../src/adapters/github/timed-fetch.js";
import { describeFailure, retryDelay } from "../../../src/adapters/queue/event-queue.js";

let server: Server;
let base: string;
const open = new Set<import("node:http").ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    if (req.url?.endsWith("/hang")) return; // never answers
    if (req.url?.endsWith("/half")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":'); // headers and half a body, then nothing
      return;
    }
    res.writeHead(201, { "content-type": "application/json", "x-custom": "kept" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("timedFetch", () => {
  const fetch200 = timedFetch(300);

  it("passes a timely answer through: status, headers and body", async () => {
    const response = await fetch200(`${base}/ok`, { method: "POST", body: "{}" });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-custom")).toBe("kept");
    expect(await response.json()).toEqual({ ok: true });
  });

  it.each([
    ["no headers", "/hang"],
    ["headers, then half a body", "/half"],
  ])("gives up on a hung answer (%s) after the timeout, saying which request", async (_name, path) => {
    const t0 = Date.now();
    const error = await fetch200(`${base}${path}`, { method: "GET" }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(error).toMatchObject({
      name: "TimeoutError",
      message: `GitHub did not answer GET ${path} within 300 ms (GITHUB_REQUEST_TIMEOUT_MS)`,
    });
  });

  it("keeps the caller's own abort signal working, reported as the caller's abort", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await timedFetch(5_000)(`${base}/hang`, { signal: controller.signal }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe("AbortError");
  });

  it("through Octokit: a hung request is a 500 without a response; the queue retries it as no answer", async () => {
    const octokit = new Octokit({
      baseUrl: `${base}/api/v3`,
      request: { fetch: timedFetch(300) },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const error = await octokit.request("GET /hang").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 500, response: undefined });
    expect(retryDelay(error, 1, { backoffMs: 1000, maxBackoffMs: 60_000 })).toBe(1000);
    expect(describeFailure(error)).toBe(
      "no answer from GitHub to GET /hang: GitHub did not answer GET /hang within 300 ms (GITHUB_REQUEST_TIMEOUT_MS)",
    );
  });
});

describe("GITHUB_REQUEST_TIMEOUT_MS", () => {
  it.each([
    [undefined, DEFAULT_GITHUB_TIMEOUT_MS],
    ["", DEFAULT_GITHUB_TIMEOUT_MS],
    ["5000", 5000],
  ])("%p gives %p ms", (raw, expected) => {
    expect(githubTimeoutMs({ GITHUB_REQUEST_TIMEOUT_MS: raw })).toBe(expected);
  });

  it.each(["0", "50", "1.5", "soon"])("refuses %p with what to set instead", (raw) => {
    expect(() => githubTimeoutMs({ GITHUB_REQUEST_TIMEOUT_MS: raw })).toThrow(
      `GITHUB_REQUEST_TIMEOUT_MS=${raw} is not valid: use a whole number of milliseconds >= 100 (default 20000)`,
    );
  });
});
