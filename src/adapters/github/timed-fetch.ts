/** Default for `GITHUB_REQUEST_TIMEOUT_MS`: GitHub answers almost everything within a few seconds. */
export const DEFAULT_GITHUB_TIMEOUT_MS = 20_000;

/** `GITHUB_REQUEST_TIMEOUT_MS` from the environment: a whole number of milliseconds >= 100, default 20 s. */
export function githubTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.GITHUB_REQUEST_TIMEOUT_MS;
  if (raw === undefined || raw === "") return DEFAULT_GITHUB_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100)
    throw new Error(
      `GITHUB_REQUEST_TIMEOUT_MS=${raw} is not valid: use a whole number of milliseconds >= 100 (default ` +
        `${DEFAULT_GITHUB_TIMEOUT_MS})`,
    );
  return n;
}

/**
 * A `fetch` for Octokit (Probot's `request.fetch`) that gives up on a GitHub request after `timeoutMs`, so a hung
 * connection cannot stall an issue's job. The timeout covers the whole exchange, body included. Octokit turns the
 * abort into a `RequestError` with status 500 and the `TimeoutError` as its cause: reads are retried by Probot's retry
 * plugin, content-creating writes are not (they go out with `retries: 0`), and the queue retries the whole run, which
 * reads what was written before it writes again.
 */
export function timedFetch(timeoutMs: number, base?: typeof fetch): typeof fetch {
  return async (input, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      // globalThis.fetch looked up per call: test interceptors (nock) replace it after the app is created.
      const response = await (base ?? globalThis.fetch)(input, { ...init, signal });
      // Read the body under the same deadline: a server that sends headers and then hangs is hung too.
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 205 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (timeout.aborted && !init.signal?.aborted) {
        const method = init.method ?? "GET";
        const url = String(input instanceof Request ? input.url : input)
          .replace(/^https?:\/\/[^/]+(\/api\/v3|\/api(?=\/graphql))?/, "")
          .split("?")[0];
        throw Object.assign(
          new Error(`GitHub did not answer ${method} ${url} within ${timeoutMs} ms (GITHUB_REQUEST_TIMEOUT_MS)`),
          { name: "TimeoutError", cause: error },
        );
      }
      throw error;
    }
  };
}
