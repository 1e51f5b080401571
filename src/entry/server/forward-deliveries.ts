/** The logger the forwarder writes to (pino's, Probot's). */
export interface ForwardLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Local development: connects to a smee.io channel (`WEBHOOK_PROXY_URL`, set as the GitHub App's webhook URL) and
 * posts each delivery it relays to the local webhook server, headers and signature included, as `probot run` does.
 * Uses smee-client, the client Probot's own setup uses; it reconnects by itself when the stream drops. Resolves once
 * the stream is open.
 */
export async function forwardDeliveries(
  source: string,
  target: string,
  log: ForwardLog,
): Promise<{ stop(): Promise<void> }> {
  // Loaded only when WEBHOOK_PROXY_URL is set: production never needs it.
  const { SmeeClient } = await import("smee-client");
  const client = new SmeeClient({
    source,
    target,
    logger: {
      info: (...args: unknown[]) => log.info(`smee: ${args.map(String).join(" ")}`),
      error: (...args: unknown[]) => log.warn(`smee: ${args.map(describe).join(" ")}`),
    },
  });
  await client.start();
  log.info(`forwarding deliveries from ${source} to ${target}`);
  return client;
}

/** smee-client logs strings, Errors and EventSource error events: each by its message. */
function describe(value: unknown): string {
  return typeof value === "object" && value ? String((value as { message?: unknown }).message ?? value) : String(value);
}
