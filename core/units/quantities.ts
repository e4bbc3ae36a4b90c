import { StreamSmartsError } from '../errors';
import type { ReadingKind } from '../reading';
import { hourMs } from './time';

/** Watt-milliseconds in a kWh: a power in W held for a span in ms, divided by this, is kWh. */
export const wattMsPerKwh = 1000 * hourMs;

/** A unit that does not fit the reading's kind; retrying will not help. */
export class UnitError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/**
 * The one canonical unit per kind: what readings are converted into to be scored and what the
 * models learn in (the seed's records are Wh; a cumulative kind's rate is its unit per hour, so
 * energy rates are W). Gas metered in energy units keeps to the energy family (Wh) rather than
 * being forced into m³: a gas series stays in the family of its own unit.
 */
export const canonicalUnits: Record<ReadingKind, string> = { energy: 'Wh', power: 'W', water: 'L', gas: 'm³', location: 'km', other: '' };

/**
 * What the meter node emits, per canonical unit: energy as kWh, the unit of Home Assistant's energy
 * sensors and statistics; everything else as its canonical unit.
 */
const meterUnits: Record<string, string> = { Wh: 'kWh' };

/** What a unit measures; named as Home Assistant's unit classes (its statistics convert per class). */
export type Dimension = 'energy' | 'power' | 'volume' | 'distance';

/** Each accepted unit as a multiple of its dimension's first unit. */
const multiples: Record<Dimension, Record<string, number>> = {
  energy: { Wh: 1, kWh: 1000, MWh: 1e6, GWh: 1e9, J: 1 / 3600, kJ: 1 / 3.6, MJ: 1000 / 3.6, GJ: 1e6 / 3.6 },
  power: { W: 1, kW: 1000, MW: 1e6, mW: 0.001 },
  volume: { L: 1, l: 1, mL: 0.001, 'm³': 1000, m3: 1000, 'ft³': 28.316846592, ft3: 28.316846592, CCF: 2831.6846592, gal: 3.785411784 },
  distance: { km: 1, m: 0.001, mi: 1.609344 },
};

/** The dimensions a kind may be measured in, with the canonical unit of each (gas: volume, else energy). */
const families: Record<ReadingKind, ReadonlyArray<{ dimension: Dimension; canonical: string }>> = {
  energy: [{ dimension: 'energy', canonical: 'Wh' }],
  power: [{ dimension: 'power', canonical: 'W' }],
  water: [{ dimension: 'volume', canonical: 'L' }],
  gas: [
    { dimension: 'volume', canonical: 'm³' },
    { dimension: 'energy', canonical: 'Wh' },
  ],
  location: [{ dimension: 'distance', canonical: 'km' }],
  other: [],
};

/** Exact spelling first; otherwise a case-insensitive match when only one unit fits ('kwh', but not 'mw'). */
function lookup(table: Record<string, number>, unit: string): number | undefined {
  const exact = table[unit];
  if (exact !== undefined) return exact;
  const matches = Object.keys(table).filter((key) => key.toLowerCase() === unit.toLowerCase());
  return matches.length === 1 ? table[matches[0] as string] : undefined;
}

export interface Conversion {
  /** Multiply a value in the given unit by this to get it in `unit`. */
  factor: number;
  /** The canonical unit the value ends up in. */
  unit: string;
}

/** How a value of `kind` in `unit` becomes canonical; undefined for a unit the kind cannot be in. 'other' keeps its own unit. */
export function conversionOf(kind: ReadingKind, unit: string): Conversion | undefined {
  if (kind === 'other') return { factor: 1, unit };
  const given = unit.trim();
  for (const { dimension, canonical } of families[kind]) {
    const table = multiples[dimension];
    const multiple = lookup(table, given);
    if (multiple !== undefined) return { factor: multiple / (table[canonical] as number), unit: canonical };
  }
  return undefined;
}

/** Every unit a kind is accepted in (exact spellings; 'other' accepts any). */
export function acceptedUnits(kind: ReadingKind): string[] {
  return families[kind].flatMap(({ dimension }) => Object.keys(multiples[dimension]));
}

export interface Measured {
  value: number;
  unit: string;
  kind: ReadingKind;
}

/** A meter's state as the meter node emits it (energy in kWh, else canonical), or undefined when the unit does not fit the kind (a "water" sensor in kWh). */
export function toMeterUnit(value: number, unit: string, kind: ReadingKind): Measured | undefined {
  const canonical = conversionOf(kind, unit);
  if (!canonical) return undefined;
  const target = meterUnits[canonical.unit];
  if (target === undefined) return { value: value * canonical.factor, unit: canonical.unit, kind };
  return { value: value * (canonical.factor / (conversionOf(kind, target) as Conversion).factor), unit: target, kind };
}

/** The unit the meter emits a kind's readings in when it has seen none yet. */
export function meterUnitOf(kind: ReadingKind): string {
  return meterUnits[canonicalUnits[kind]] ?? canonicalUnits[kind];
}

/**
 * The unit the meter emits a kind in, per dimension the kind may be measured in (gas: volume in m³,
 * energy in kWh): what Home Assistant's statistics are asked to convert into, so that they arrive in
 * the meter's own units.
 */
export function meterUnitsByDimension(kind: ReadingKind): Partial<Record<Dimension, string>> {
  return Object.fromEntries(families[kind].map(({ dimension, canonical }) => [dimension, meterUnits[canonical] ?? canonical]));
}

/** Like conversionOf, for a reading: no unit means it is already canonical; a unit that does not fit throws UnitError. */
export function readingConversion(kind: ReadingKind, unit: string): Conversion {
  if (unit.trim() === '') return { factor: 1, unit: canonicalUnits[kind] };
  const conversion = conversionOf(kind, unit);
  if (!conversion) {
    const into = families[kind].map(({ canonical }) => canonical).join(' or ');
    throw new UnitError(`unit '${unit}' cannot be converted to ${into} for a ${kind} reading (accepted: ${acceptedUnits(kind).join(', ')})`);
  }
  return conversion;
}

/** Factor taking a reading's `unit` to its canonical unit; throws UnitError for a unit that does not fit. */
export function unitFactor(kind: ReadingKind, unit: string): number {
  return readingConversion(kind, unit).factor;
}

/** Which kind a bare unit belongs to, for sensors without a device class. */
export function kindOfUnit(unit: string): ReadingKind | undefined {
  if (lookup(multiples.energy, unit) !== undefined) return 'energy';
  if (lookup(multiples.power, unit) !== undefined) return 'power';
  return undefined;
}

/** Meter totals summed over an interval (energy, water, gas); power is a rate, location a position. */
export function isCumulativeKind(kind: ReadingKind): boolean {
  return kind === 'energy' || kind === 'water' || kind === 'gas';
}

/** The unit a series' rate is in: energy per hour is W, other totals are per hour, rates are as measured. */
export function rateUnitOf(kind: ReadingKind, unit: string): string {
  const canonical = readingConversion(kind, unit).unit;
  if (canonical === 'Wh' || canonical === 'W') return 'W';
  return isCumulativeKind(kind) ? `${canonical}/h` : canonical;
}
