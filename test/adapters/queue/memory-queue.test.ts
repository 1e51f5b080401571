import { createMemoryQueue } from "../../../src/adapters/queue/memory-queue.js";
import { createMetrics } from "../../../src/adapters/metrics/prometheus-metrics.js";
import {
  orderingKey,
  retryDelay,
  describeFailure,
  type EventRunner,
  type QueuedEvent,
} from "../../../src/adapters/queue/event-queue.js";

const quiet = { info() {}, warn() {}, error() {} };
const settings = { concurrency: 2, attempts: 3, backoffMs: 1, maxBackoffMs: 50 };
const event = (id: string, repo: string, number: number, installation?: number): QueuedEvent => ({
  id,
  name: "issues",
  payload: { repository: { full_name: repo }, issue: { number }, installation: { id: installation } },
});
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done()` holds, however long the machine takes (the test's timeout is the bound). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await tick(2);
}

function recordingRunner(opts: { fail?: (e: QueuedEvent, attempt: number) => unknown } = {}) {
  const log: string[] = [];
  const gaveUp: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const running = new Map<string, number>();
  const runner: EventRunner = {
    async run(e, attempt) {
      const key = orderingKey(e);
      if (running.get(key)) throw new Error(`two events of ${key} at once`);
      running.set(key, 1);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start ${e.id}`);
      await tick();
      inFlight--;
      running.set(key, 0);
      const error = opts.fail?.(e, attempt);
      if (error) throw error;
      log.push(`end ${e.id}`);
    },
    async giveUp(e) {
      gaveUp.push(e.id);
    },
  };
  return {
    runner,
    log,
    gaveUp,
    maxInFlight: () => maxInFlight,
    /** Resolves once `n` events have ended. */
    ended: (n: number) => until(() => log.filter((l) => l.startsWith("end")).length >= n),
  };
}

async function drained(queue: { close(ms: number): Promise<string[]> }) {
  return queue.close(2_000);
}

describe("the in-process queue", () => {
  it("runs an issue's events one at a time in order, others alongside, at most `concurrency` at once", async () => {
    const r = recordingRunner();
    const queue = createMemoryQueue(settings, r.runner, quiet);
    for (const e of [
      event("a1", "o/r", 1),
      event("b1", "o/r", 2),
      event("a2", "o/r", 1),
      event("c1", "o/x", 1),
      event("a3", "O/R", 1),
    ]) {
      expect(await queue.enqueue(e)).toBe("queued");
    }
    await r.ended(5);
    expect(await drained(queue)).toEqual([]);
    const ends = r.log.filter((l) => l.startsWith("end")).map((l) => l.slice(4));
    expect(ends.filter((id) => id.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(ends.sort()).toEqual(["a1", "a2", "a3", "b1", "c1"]);
    expect(r.maxInFlight()).toBe(2);
  });

  it("its depth is the deliveries accepted and not yet started; the metric reads it at each scrape", async () => {
    const r = recordingRunner();
    const queue = createMemoryQueue({ ...settings, concurrency: 1 }, r.runner, quiet);
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.measureQueueDepth(() => queue.depth());
    for (const e of [event("q1", "o/r", 1), event("q2", "o/r", 1), event("q3", "o/r", 2)]) await queue.enqueue(e);
    expect(await queue.depth()).toBe(2);
    expect(await metrics.registry.getSingleMetricAsString("config_triage_queue_depth")).toMatch(
      /^config_triage_queue_depth 2$/m,
    );
    await r.ended(3);
    expect(await queue.depth()).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString("config_triage_queue_depth")).toMatch(
      /^config_triage_queue_depth 0$/m,
    );
    await drained(queue);
  });

  it("drops a delivery id it has seen (a redelivery)", async () => {
    const r = recordingRunner();
    const queue = createMemoryQueue(settings, r.runner, quiet);
    expect(await queue.enqueue(event("d1", "o/r", 1))).toBe("queued");
    expect(await queue.enqueue(event("d1", "o/r", 1))).toBe("duplicate");
    await r.ended(1);
    expect(await drained(queue)).toEqual([]);
    expect(r.log).toEqual(["start d1", "end d1"]);
  });

  it("retries transient failures, gives up on the others and reports them", async () => {
    const fiveHundred = Object.assign(new Error("boom"), { status: 502 });
    const notFound = Object.assign(new Error("Not Found"), { status: 404 });
    const r = recordingRunner({
      fail: (e, attempt) => (e.id === "flaky" && attempt < 3 ? fiveHundred : e.id === "gone" ? notFound : undefined),
    });
    const queue = createMemoryQueue(settings, r.runner, quiet);
    await queue.enqueue(event("flaky", "o/r", 1));
    await queue.enqueue(event("gone", "o/r", 2));
    await until(() => r.log.includes("end flaky") && r.gaveUp.length > 0);
    expect(r.log.filter((l) => l === "start flaky")).toHaveLength(3);
    expect(r.log).toContain("end flaky");
    expect(r.log.filter((l) => l === "start gone")).toHaveLength(1);
    expect(r.gaveUp).toEqual(["gone"]);
    await drained(queue);
  });

  it("gives a free slot to the installation with the fewest events running, not to the earliest arrival", async () => {
    // GitHub paces each installation on its own: a burst for installation 1 must not hold every slot while
    // installation 2's events wait (first come, first served would start a1 a2 a3 a4 before b1).
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const runner: EventRunner = {
      run: (e) => new Promise<void>((resolve) => (started.push(e.id), finish.set(e.id, resolve))),
      async giveUp() {},
    };
    const queue = createMemoryQueue(settings, runner, quiet);
    for (const [id, installation] of [
      ["a1", 1],
      ["a2", 1],
      ["a3", 1],
      ["a4", 1],
      ["b1", 2],
      ["b2", 2],
    ] as const) {
      await queue.enqueue(event(id, `o/${id}`, 1, installation));
    }
    const end = async (id: string, next: number) => {
      expect(started).toContain(id);
      finish.get(id)!();
      await until(() => started.length === next);
    };
    expect(started).toEqual(["a1", "a2"]);
    await end("a1", 3);
    await end("a2", 4);
    await end("b1", 5);
    await end("a3", 6);
    expect(started).toEqual(["a1", "a2", "b1", "a3", "b2", "a4"]);
    finish.get("b2")!();
    finish.get("a4")!();
    expect(await drained(queue)).toEqual([]);
  });

  it("stops taking work on close and names what it could not finish", async () => {
    const r = recordingRunner();
    const queue = createMemoryQueue({ ...settings, concurrency: 1 }, r.runner, quiet);
    await queue.enqueue(event("x1", "o/r", 1));
    await queue.enqueue(event("x2", "o/r", 1));
    const left = await queue.close(1_000);
    expect(left).toEqual(["x2"]);
    expect(await queue.enqueue(event("x3", "o/r", 1))).toBe("closing");
    expect(r.log).toEqual(["start x1", "end x1"]);
  });
});

describe("retryDelay", () => {
  const s = { backoffMs: 1000, maxBackoffMs: 60_000 };
  const gh = (status: number, message = "x", headers: Record<string, string> = {}) =>
    Object.assign(new Error(message), { status, response: { headers } });
  it.each([
    ["GitHub 502", gh(502), 1, 1000],
    ["GitHub 500, third try", gh(500), 3, 4000],
    [
      "secondary rate limit 403 with retry-after",
      gh(403, "You have exceeded a secondary rate limit", { "retry-after": "7" }),
      1,
      7000,
    ],
    ["429 with retry-after", gh(429, "x", { "retry-after": "2" }), 2, 2000],
    ["retry-after beyond the cap", gh(429, "x", { "retry-after": "600" }), 1, 60_000],
    ["a network error", Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } }), 1, 1000],
    ["inside Probot's AggregateError", new AggregateError([gh(503)]), 1, 1000],
    ["403 forbidden (no retry-after)", gh(403, "Resource not accessible by integration"), 1, undefined],
    ["404", gh(404), 1, undefined],
    ["422", gh(422), 1, undefined],
    ["a bug", new TypeError("x is not a function"), 1, undefined],
  ])("%s", (_name, error, attempt, expected) => {
    expect(retryDelay(error, attempt, s)).toBe(expected);
  });

  it("describes a GitHub failure by status, method and path, without the host", () => {
    const error = Object.assign(new Error("Server Error"), {
      status: 503,
      request: { method: "GET", url: "http://127.0.0.1:9/api/v3/repos/o/r/contents/x?ref=main" },
      response: { status: 503 },
    });
    expect(describeFailure(new AggregateError([error]))).toBe(
      "GitHub answered 503 to GET /repos/o/r/contents/x: Server Error",
    );
  });

  it("says there was no answer when the request timed out or the connection dropped (Octokit calls that 500)", () => {
    const message = "GitHub did not answer POST /graphql within 500 ms (GITHUB_REQUEST_TIMEOUT_MS)";
    const error = Object.assign(new Error(message), {
      status: 500,
      request: { method: "POST", url: "http://127.0.0.1:9/api/graphql" },
    });
    expect(describeFailure(error)).toBe(`no answer from GitHub to POST /graphql: ${message}`);
    expect(retryDelay(error, 1, s)).toBe(1000);
  });
});
