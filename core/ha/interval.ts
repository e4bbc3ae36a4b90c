/** Interval lengths the meter offers (seconds); any other positive length works too (tests use seconds). */
export const intervalChoices = [900, 1800, 3600] as const;

/**
 * Start of the interval containing `ts`, aligned to local wall-clock time, so hourly intervals
 * start at :00 local even in zones offset by a half hour.
 */
export function intervalStart(ts: number, intervalMs: number): number {
  const offsetMs = -new Date(ts).getTimezoneOffset() * 60_000;
  const local = ts + offsetMs;
  return ts - (((local % intervalMs) + intervalMs) % intervalMs);
}

/** Starts of every interval beginning in [from, to), from must be aligned. */
export function intervalStartsBetween(from: number, to: number, intervalMs: number): number[] {
  const starts: number[] = [];
  for (let start = intervalStart(from, intervalMs); start < to; start += intervalMs) {
    if (start >= from) starts.push(start);
  }
  return starts;
}
