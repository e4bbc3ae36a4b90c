/**
 * What a household sensor can plausibly report, in the units the meter emits. A state past these
 * is refused (counted, reported) so that one absurd value never costs an interval's real readings.
 */
export const absoluteLimit = 1e9;

export interface Plausibility {
  /** Most a cumulative meter can rise per hour (its unit per hour). */
  maxIncreasePerHour?: number;
  /** Largest magnitude of a rate (power in W). */
  maxRate?: number;
}

/** 100 kW of electricity (or gas metered in kWh), 100 L/min of water, 50 m³/h of gas, 100 kW of power. */
const byMeterUnit: Readonly<Record<string, Plausibility>> = {
  kWh: { maxIncreasePerHour: 100 },
  L: { maxIncreasePerHour: 6000 },
  'm³': { maxIncreasePerHour: 50 },
  W: { maxRate: 100_000 },
};

/** The caps for samples in `meterUnit`; other units (temperatures, percentages, …) only have the absolute limit. */
export function plausibilityOf(meterUnit: string): Plausibility {
  return byMeterUnit[meterUnit] ?? {};
}

/** Not a number a sensor reports: non-finite or beyond the absolute limit (1e308, 2e9). */
export function isAbsurd(value: number): boolean {
  return !Number.isFinite(value) || Math.abs(value) > absoluteLimit;
}
