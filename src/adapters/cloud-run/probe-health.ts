import type { HealthResult } from "../../domain/diagnosis/live-state.js";

/**
 * Requests a service's health URL once, with a deadline, and reports the status and the time to the answer's
 * headers. Any answer below 400 counts as healthy (a redirect is an answer); no answer in time is a failure.
 */
export async function probeHealth(
  url: string,
  timeoutMs: number,
  now: () => number = () => performance.now(),
): Promise<HealthResult> {
  const start = now();
  try {
    const response = await fetch(url, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: { "user-agent": "config-triage health probe" },
    });
    const latencyMs = Math.round(now() - start);
    await response.body?.cancel().catch(() => undefined);
    return { url, status: response.status, ok: response.status < 400, latencyMs };
  } catch (error) {
    const latencyMs = Math.round(now() - start);
    const e = error as { name?: string; cause?: { code?: string }; message?: string };
    const why =
      e.name === "TimeoutError" || e.name === "AbortError"
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.message ?? String(error));
    return { url, ok: false, latencyMs, error: why };
  }
}
