/**
 * A pattern marked expected: the same hour of day (±1) at up to 20% more than that level, until
 * `until` (by then retraining has learnt the marked reading as normal).
 */
export interface Suppression {
  hour: number;
  rate: number;
  until: number;
}

export function isSuppressed(suppressions: readonly Suppression[], ts: number, hour: number, rate: number): boolean {
  return suppressions.some((rule) => {
    if (ts > rule.until) return false;
    const distance = Math.min(Math.abs(rule.hour - hour), 24 - Math.abs(rule.hour - hour));
    return distance <= 1 && rate <= rule.rate * 1.2;
  });
}
