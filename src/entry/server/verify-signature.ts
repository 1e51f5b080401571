import { createHmac, timingSafeEqual } from "node:crypto";

/** A signature check fed the body as it arrives, so the body is hashed while it is read, not after. */
export interface SignatureCheck {
  update(chunk: Buffer): void;
  /** Whether the HMAC of everything fed matches the header (constant time). Call once, at the end. */
  matches(): boolean;
}

/**
 * Starts checking GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC of the raw body>`); undefined when the header is
 * not of that form, so such a request is refused before its body is read.
 * node:crypto rather than `@octokit/webhooks-methods`: that package is only a transitive dependency of Probot here,
 * and this is the whole of what it would do for us.
 */
export function signatureCheck(secret: string, signature: string): SignatureCheck | undefined {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) return undefined;
  const hmac = createHmac("sha256", secret);
  return {
    update: (chunk) => void hmac.update(chunk),
    matches: () => timingSafeEqual(hmac.digest(), Buffer.from(match[1], "hex")),
  };
}

/** Checks GitHub's `X-Hub-Signature-256` for a whole body, in constant time. */
export function verifySignature(secret: string, body: Buffer, signature: string): boolean {
  const check = signatureCheck(secret, signature);
  if (!check) return false;
  check.update(body);
  return check.matches();
}

/** The header value GitHub would send for this body (tests and the demo sign with it). */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
