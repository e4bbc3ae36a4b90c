import type { Reading, ReadingKind } from '../reading';
import { localHour } from '../reading';
import type { BucketMode } from './bucketer';
import type { EntityState } from './entity-stream';
import { kindOf, normalise, numericState } from './units';

/** Device classes and domains the editor's entity picker offers. */
export const meterDeviceClasses = ['energy', 'power', 'water', 'gas'] as const;
export const locationDomains = ['device_tracker', 'person'] as const;

export interface Home {
  latitude: number;
  longitude: number;
}

export type SkipReason = 'unavailable' | 'non-numeric' | 'unit';

/** What one state means as a reading, or why it is skipped. */
export type Interpretation = { reading: Reading } | { skipped: SkipReason };

export function entityKind(state: EntityState): ReadingKind {
  return kindOf(state.entity_id, state.attributes.device_class, state.attributes.unit_of_measurement);
}

/** Cumulative meters and rates are bucketed; locations and unknown kinds only give raw readings. */
export function bucketModeOf(kind: ReadingKind): BucketMode | undefined {
  if (kind === 'energy' || kind === 'water' || kind === 'gas') return 'cumulative';
  if (kind === 'power') return 'rate';
  return undefined;
}

/** Unit of interval consumption: power integrates to kWh. */
export function intervalUnitOf(kind: ReadingKind, rawUnit: string): { kind: ReadingKind; unit: string } {
  return kind === 'power' ? { kind: 'energy', unit: 'kWh' } : { kind, unit: rawUnit };
}

export function interpretState(state: EntityState, home: Home | undefined): Interpretation {
  const kind = entityKind(state);
  if (state.state === 'unavailable' || state.state === 'unknown' || state.state === '') return { skipped: 'unavailable' };
  if (kind === 'location') return interpretLocation(state, home);
  const numeric = numericState(state.state);
  if (numeric === undefined) return { skipped: 'non-numeric' };
  const unitAttribute = state.attributes.unit_of_measurement;
  const measured = normalise(numeric, typeof unitAttribute === 'string' ? unitAttribute : undefined, kind);
  if (!measured) return { skipped: 'unit' };
  return { reading: { entity_id: state.entity_id, ts: state.ts, value: measured.value, unit: measured.unit, kind: measured.kind, hour: localHour(state.ts) } };
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
    hour: localHour(state.ts),
    latitude,
    longitude,
  };
  return { reading };
}

/** Great-circle distance: the location reading's value is how far from home. */
export function haversineKm(a: Home, b: Home): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}
