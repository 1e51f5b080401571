/**
 * `npm run bench:bad-deliveries`: the memory a stranger can make the webhook server hold. Starts the real server
 * (`src/entry/server/main.ts` through tsx; `BENCH_SCRIPT` runs another checkout's entry, e.g.
 * `/work/main/src/entry/server/main.ts`, for a before/after figure), sends BENCH_BAD_DELIVERIES (default 12) deliveries
 * of BENCH_BAD_SIZE_MB (default 25) MB at once, every one with a wrong signature, and prints what each was answered and
 * the server's resident memory: idle before, peak (VmHWM) during, and after. Linux only (reads /proc).
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { appEnv, randomUUID, sleep, startApp } from "../dev/app-server.js";

const COUNT = Number(process.env.BENCH_BAD_DELIVERIES ?? 12);
const SIZE = Number(process.env.BENCH_BAD_SIZE_MB ?? 25) * 1024 * 1024;
const SCRIPT = process.env.BENCH_SCRIPT ?? "src/entry/server/main.ts";

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

/** One delivery of `SIZE` bytes with a wrong signature; resolves with the status, or how the connection ended. */
function badDelivery(url: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": String(body.length),
        "x-github-event": "issues",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on("error", (error) => resolve((error as NodeJS.ErrnoException).code ?? "error"));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const app = await startApp({
    mode: "tsx",
    script: SCRIPT,
    env: appEnv(
      { appId: 1, githubHost: "127.0.0.1:9", cloudRunAddress: "127.0.0.1:9", secret: `bench-${randomUUID()}` },
      { LOG_LEVEL: "error" },
    ),
  });
  try {
    await sleep(2_000);
    const pid = app.child.pid!;
    const idle = memoryMiB(pid);
    const body = Buffer.alloc(SIZE, 0x20);
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: COUNT }, () => badDelivery(app.url, body)));
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const during = memoryMiB(pid);
    await sleep(2_000);
    const after = memoryMiB(pid);
    const counts = Object.entries(answers.reduce<Record<string, number>>((m, a) => ((m[a] = (m[a] ?? 0) + 1), m), {}))
      .map(([a, n]) => `${n}×${a}`)
      .join(", ");
    console.log(`| Bad deliveries | Size each | Answers | RSS idle | Peak RSS (VmHWM) | RSS after | Took |`);
    console.log(`|---|---|---|---|---|---|---|`);
    const sizes = [`${idle.rss} MiB`, `${during.peak} MiB`, `${after.rss} MiB`];
    const row = [`${COUNT} at once`, `${SIZE / 1024 / 1024} MB`, counts, ...sizes];
    console.log(`| ${[...row, `${seconds} s`].join(" | ")} |`);
    console.log(`(${SCRIPT}, Node ${process.version})`);
  } finally {
    await app.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
