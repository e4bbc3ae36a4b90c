import type { Reading, ReadingKind } from '../reading';
import { haversineKm, hourOfDay, kindOfUnit, meterUnitOf, toMeterUnit, type LatLon } from '../units';
import type { BucketMode } from './bucketer';
import type { EntityState } from './entity-stream';
import { isAbsurd } from './plausibility';

/** Device classes and domains the editor's entity picker offers. */
export const meterDeviceClasses = ['energy', 'power', 'water', 'gas'] as const;
export const locationDomains = ['device_tracker', 'person'] as const;

export type Home = LatLon;

/** 'unit': a unit the kind cannot be converted from; 'implausible': a number no sensor reports (1e308). */
export type SkipReason = 'unavailable' | 'non-numeric' | 'unit' | 'implausible';

/** Skips that are bad input rather than a sensor being away: refused, counted and reported. */
export function isRefusal(reason: SkipReason): boolean {
  return reason === 'unit' || reason === 'implausible';
}

/** What one state means as a reading, or why it is skipped. */
export type Interpretation = { reading: Reading } | { skipped: SkipReason };

/** The kind an entity measures, from its domain, device class and unit. */
export function kindOf(entityId: string, deviceClass: unknown, unit: unknown): ReadingKind {
  const domain = entityId.split('.')[0];
  if (domain === 'device_tracker' || domain === 'person') return 'location';
  if (deviceClass === 'energy' || deviceClass === 'power' || deviceClass === 'water' || deviceClass === 'gas') return deviceClass;
  return (typeof unit === 'string' ? kindOfUnit(unit) : undefined) ?? 'other';
}

/** Parses an HA state string; unavailable, unknown, empty and non-numeric states give undefined. */
export function numericState(state: unknown): number | undefined {
  if (typeof state === 'number') return Number.isFinite(state) ? state : undefined;
  if (typeof state !== 'string' || state.trim() === '') return undefined;
  const value = Number(state);
  return Number.isFinite(value) ? value : undefined;
}

/** A number that is not finite: 'NaN', 'Infinity', '1e309' (a sensor's fault, not a sensor being away). */
function isNonFiniteNumber(state: string): boolean {
  const trimmed = state.trim();
  return /^[+-]?nan$/i.test(trimmed) || Math.abs(Number(trimmed)) === Infinity;
}

export function entityKind(state: EntityState): ReadingKind {
  return kindOf(state.entity_id, state.attributes.device_class, state.attributes.unit_of_measurement);
}

/**
 * Cumulative meters and rates are bucketed; any other numeric sensor by its `state_class`: a
 * measurement (a temperature) by its mean, a total (a rain gauge) as a meter. Locations, and sensors
 * without a state class, only give raw readings.
 */
export function bucketModeOf(kind: ReadingKind, stateClass?: unknown): BucketMode | undefined {
  if (kind === 'energy' || kind === 'water' || kind === 'gas') return 'cumulative';
  if (kind === 'power') return 'rate';
  if (kind !== 'other') return undefined;
  if (stateClass === 'measurement') return 'mean';
  if (stateClass === 'total' || stateClass === 'total_increasing') return 'cumulative';
  return undefined;
}

export function entityBucketMode(state: EntityState): BucketMode | undefined {
  return bucketModeOf(entityKind(state), state.attributes.state_class);
}

/** Unit of interval consumption: power integrates to energy (kWh). */
export function intervalUnitOf(kind: ReadingKind, rawUnit: string): { kind: ReadingKind; unit: string } {
  return kind === 'power' ? { kind: 'energy', unit: meterUnitOf('energy') } : { kind, unit: rawUnit };
}

export function interpretState(state: EntityState, home: Home | undefined): Interpretation {
  const kind = entityKind(state);
  if (state.state === 'unavailable' || state.state === 'unknown' || state.state === '') return { skipped: 'unavailable' };
  if (kind === 'location') return interpretLocation(state, home);
  const numeric = numericState(state.state);
  if (numeric === undefined) return { skipped: isNonFiniteNumber(state.state) ? 'implausible' : 'non-numeric' };
  const unitAttribute = state.attributes.unit_of_measurement;
  const measured = toMeterUnit(numeric, typeof unitAttribute === 'string' ? unitAttribute : '', kind);
  if (!measured) return { skipped: 'unit' };
  if (isAbsurd(measured.value)) return { skipped: 'implausible' };
  return { reading: { entity_id: state.entity_id, ts: state.ts, value: measured.value, unit: measured.unit, kind: measured.kind, hour: hourOfDay(state.ts) } };
}

function interpretLocation(state: EntityState, home: Home | undefined): Interpretation {
  const latitude = numericState(state.attributes.latitude);
  const longitude = numericState(state.attributes.longitude);
  if (latitude === undefined || longitude === undefined) return { skipped: 'non-numeric' };
  const reading: Reading = {
    entity_id: state.entity_id,
    ts: state.ts,
    value: home ? haversineKm(home, { latitude, longitude }) : 0,
    unit: 'km',
    kind: 'location',
    hour: hourOfDay(state.ts),
    latitude,
    longitude,
  };
  return { reading };
}
