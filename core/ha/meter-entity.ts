import type { Reading, ReadingKind } from '../reading';
import { haversineKm, hourOfDay, kindOfUnit, meterUnitOf, toMeterUnit, type LatLon } from '../units';
import type { BucketMode } from './bucketer';
import type { EntityState } from './entity-stream';

/** Device classes and domains the editor's entity picker offers. */
export const meterDeviceClasses = ['energy', 'power', 'water', 'gas'] as const;
export const locationDomains = ['device_tracker', 'person'] as const;

export type Home = LatLon;

export type SkipReason = 'unavailable' | 'non-numeric' | 'unit';

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

export function entityKind(state: EntityState): ReadingKind {
  return kindOf(state.entity_id, state.attributes.device_class, state.attributes.unit_of_measurement);
}

/** Cumulative meters and rates are bucketed; locations and unknown kinds only give raw readings. */
export function bucketModeOf(kind: ReadingKind): BucketMode | undefined {
  if (kind === 'energy' || kind === 'water' || kind === 'gas') return 'cumulative';
  if (kind === 'power') return 'rate';
  return undefined;
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
  if (numeric === undefined) return { skipped: 'non-numeric' };
  const unitAttribute = state.attributes.unit_of_measurement;
  const measured = toMeterUnit(numeric, typeof unitAttribute === 'string' ? unitAttribute : '', kind);
  if (!measured) return { skipped: 'unit' };
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
