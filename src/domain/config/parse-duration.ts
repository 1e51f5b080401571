/** A duration as people write it in the config: a whole number and a unit, `30s`, `30m`, `6h`, `7d`. */
export const DURATION = /^([1-9][0-9]{0,5})(s|m|h|d)$/;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration (`30m` -> 1800000), or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/** A duration in milliseconds written back the way the config writes it, in its largest whole unit: `5m`, `7d`. */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.max(1, Math.round(ms / 1_000))}s`;
}
