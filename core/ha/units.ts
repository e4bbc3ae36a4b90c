import type { ReadingKind } from '../reading';

/**
 * Canonical units per kind: energy kWh, power W, water L, gas m³ (gas metered in energy units
 * stays kWh). Everything a meter reports is converted to these before bucketing.
 */
export const canonicalUnit = { energy: 'kWh', power: 'W', water: 'L', gas: 'm³', location: 'km', other: '' } as const;

const energyFactors: Record<string, number> = { Wh: 0.001, kWh: 1, MWh: 1000, GWh: 1e6, MJ: 1 / 3.6, GJ: 1000 / 3.6 };
const powerFactors: Record<string, number> = { W: 1, kW: 1000, MW: 1e6, mW: 0.001 };
const volumeToLitres: Record<string, number> = {
  L: 1,
  l: 1,
  mL: 0.001,
  'm³': 1000,
  m3: 1000,
  'ft³': 28.316846592,
  ft3: 28.316846592,
  CCF: 2831.6846592,
  gal: 3.785411784,
};

export interface Measured {
  value: number;
  unit: string;
  kind: ReadingKind;
}

/** The kind an entity measures, from its domain, device class and unit. */
export function kindOf(entityId: string, deviceClass: unknown, unit: unknown): ReadingKind {
  const domain = entityId.split('.')[0];
  if (domain === 'device_tracker' || domain === 'person') return 'location';
  if (deviceClass === 'energy') return 'energy';
  if (deviceClass === 'power') return 'power';
  if (deviceClass === 'water') return 'water';
  if (deviceClass === 'gas') return 'gas';
  if (typeof unit === 'string') {
    if (unit in energyFactors) return 'energy';
    if (unit in powerFactors) return 'power';
  }
  return 'other';
}

/**
 * Converts a numeric state to the canonical unit of its kind. Returns undefined when the unit does
 * not fit the kind (a "water" sensor in kWh), so the caller counts it as skipped rather than
 * emitting a wrong number.
 */
export function normalise(value: number, unit: string | undefined, kind: ReadingKind): Measured | undefined {
  const given = unit ?? '';
  switch (kind) {
    case 'energy': {
      const factor = energyFactors[given];
      return factor === undefined ? undefined : { value: value * factor, unit: 'kWh', kind };
    }
    case 'power': {
      const factor = powerFactors[given];
      return factor === undefined ? undefined : { value: value * factor, unit: 'W', kind };
    }
    case 'water': {
      const factor = volumeToLitres[given];
      return factor === undefined ? undefined : { value: value * factor, unit: 'L', kind };
    }
    case 'gas': {
      const litres = volumeToLitres[given];
      if (litres !== undefined) return { value: (value * litres) / 1000, unit: 'm³', kind };
      const energy = energyFactors[given];
      return energy === undefined ? undefined : { value: value * energy, unit: 'kWh', kind };
    }
    default:
      return { value, unit: given, kind };
  }
}

/** Parses an HA state string; unavailable, unknown, empty and non-numeric states give undefined. */
export function numericState(state: unknown): number | undefined {
  if (typeof state === 'number') return Number.isFinite(state) ? state : undefined;
  if (typeof state !== 'string' || state.trim() === '') return undefined;
  const value = Number(state);
  return Number.isFinite(value) ? value : undefined;
}
