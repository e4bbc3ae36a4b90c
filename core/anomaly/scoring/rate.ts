import type { Reading } from '../../reading';
import { isCumulativeKind, unitFactor } from '../../units';

/** Shortest interval a rate is computed over: sub-second spacing is not a metering interval. */
export const minIntervalS = 1;
/** Rates are held within this magnitude so sums, transforms and scores stay finite. */
export const maxRateMagnitude = 1e18;

/**
 * The interval a cumulative reading covers: its own `interval_s` when positive, else the
 * fallback (e.g. the series' estimated spacing), else an hour; never below `minIntervalS`.
 */
export function effectiveIntervalS(reading: Pick<Reading, 'interval_s'>, fallbackIntervalS: number): number {
  const own = reading.interval_s;
  const chosen = own !== undefined && own > 0 && Number.isFinite(own) ? own : fallbackIntervalS > 0 && Number.isFinite(fallbackIntervalS) ? fallbackIntervalS : 3600;
  return Math.max(minIntervalS, chosen);
}

function clampRate(rate: number): number {
  if (Number.isNaN(rate)) return 0;
  return Math.max(-maxRateMagnitude, Math.min(maxRateMagnitude, rate));
}

/**
 * The reading as the model sees it: a rate per hour in the canonical unit (energy Wh per hour
 * is average W), so half-hourly and hourly meters are comparable.
 */
export function toRate(reading: Reading, fallbackIntervalS: number): number {
  const canonical = reading.value * unitFactor(reading.kind, reading.unit);
  if (!isCumulativeKind(reading.kind)) return clampRate(canonical);
  return clampRate(canonical / (effectiveIntervalS(reading, fallbackIntervalS) / 3600));
}

/** Inverse of toRate: a rate back into the reading's own unit over its interval. */
export function fromRate(rate: number, reading: Reading, fallbackIntervalS: number): number {
  const factor = unitFactor(reading.kind, reading.unit);
  if (!isCumulativeKind(reading.kind)) return rate / factor;
  return (rate * (effectiveIntervalS(reading, fallbackIntervalS) / 3600)) / factor;
}
