/** One counted attempt: how many attempts the current window holds now (this one included) and when it ends. */
export interface RateLimitHit {
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetInMs: number;
}

/**
 * Counts attempts per key in fixed windows (the rate limit of triages per issue). Tiny on purpose: in memory on one
 * instance, in Redis when several instances must share the count.
 */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<RateLimitHit>;
}
