import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC of the raw body>`) in constant time.
 * node:crypto rather than `@octokit/webhooks-methods`: that package is only a transitive dependency of Probot here,
 * and this is the whole of what it would do for us.
 */
export function verifySignature(secret: string, body: Buffer, signature: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex"));
}

/** The header value GitHub would send for this body (tests and the demo sign with it). */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
