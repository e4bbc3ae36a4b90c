import type { Reading, ReadingKind } from '../reading';

/** A reading whose unit cannot be converted to the model's; retrying will not help. */
export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

/** Canonical unit per kind: energy Wh, power W, water L, gas m³; 'other' keeps its own. */
export const canonicalUnits: Record<ReadingKind, string> = {
  energy: 'Wh',
  power: 'W',
  water: 'L',
  gas: 'm³',
  location: 'deg',
  other: '',
};

const factors: Record<string, Record<string, number>> = {
  energy: { wh: 1, kwh: 1000, mwh: 1e6, j: 1 / 3600, kj: 1 / 3.6, mj: 1000 / 3.6 },
  power: { w: 1, kw: 1000, mw: 1e6 },
  water: { l: 1, m3: 1000, 'm³': 1000, gal: 3.785411784, ft3: 28.316846592, 'ft³': 28.316846592 },
  gas: { 'm³': 1, m3: 1, ft3: 0.028316846592, 'ft³': 0.028316846592, ccf: 2.8316846592 },
};

/** Factor taking `unit` to the kind's canonical unit (seed records arrive in 'Wh'). */
export function unitFactor(kind: ReadingKind, unit: string): number {
  const table = factors[kind];
  if (!table) return 1;
  const key = unit.trim().toLowerCase();
  if (key === '') return 1;
  const factor = table[key];
  if (factor === undefined) {
    throw new UnitError(`unit '${unit}' cannot be converted to ${canonicalUnits[kind]} for a ${kind} reading`);
  }
  return factor;
}

/** Quantities summed over an interval (energy, water, gas) are compared as a rate per hour. */
export function isCumulativeKind(kind: ReadingKind): boolean {
  return kind === 'energy' || kind === 'water' || kind === 'gas';
}

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
