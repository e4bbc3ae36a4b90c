import { hourMs } from '../units';
import { startOfHour, type HourSource, type SimHour } from './household';

/** A cumulative energy meter reading at the end of a simulated hour. */
export interface MeterSample {
  hour: SimHour;
  /** Epoch ms when the hour ended (the meter's reading time). */
  end: number;
  /** Meter total, kWh (never decreases). */
  total: number;
}

/** A meter that starts at `initialKwh` and advances one simulated hour per `next()`. */
export function createMeter(source: HourSource, from: number, initialKwh = 0) {
  let start = startOfHour(from);
  let total = initialKwh;
  return {
    get total(): number {
      return total;
    },
    /** The start of the hour the next call will simulate. */
    get nextStart(): number {
      return start;
    },
    next(): MeterSample {
      const hour = source.hourAt(start);
      total = Math.round((total + hour.kwh) * 1e6) / 1e6;
      start += hourMs;
      return { hour, end: start, total };
    },
  };
}

export function meterSamples(source: HourSource, from: number, hours: number, initialKwh = 0): MeterSample[] {
  const meter = createMeter(source, from, initialKwh);
  return Array.from({ length: hours }, () => meter.next());
}

/** One hourly row of Home Assistant's `recorder/import_statistics` for a total_increasing meter. */
export interface HaStatisticRow {
  /** ISO time of the hour's start (HA stores the value at the end of that hour under it). */
  start: string;
  state: number;
  sum: number;
}

/** Meter samples as HA long-term statistics; `sum` counts from `sumOrigin` (the meter total HA's sum is zero at). */
export function haStatistics(samples: readonly MeterSample[], sumOrigin = 0): HaStatisticRow[] {
  return samples.map((sample) => ({
    start: new Date(sample.hour.start).toISOString(),
    state: sample.total,
    sum: Math.round((sample.total - sumOrigin) * 1e6) / 1e6,
  }));
}
