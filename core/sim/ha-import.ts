import { meterSamples, haStatistics, type HaStatisticRow } from './meter';
import type { HourSource } from './household';
import { hourMs } from '../units';

/** The `recorder/import_statistics` websocket message for a simulated total_increasing kWh meter. */
export interface ImportStatisticsMessage {
  type: 'recorder/import_statistics';
  metadata: {
    statistic_id: string;
    source: 'recorder';
    has_mean: false;
    has_sum: true;
    name: string;
    unit_of_measurement: 'kWh';
  };
  stats: HaStatisticRow[];
}

/**
 * Weeks of hourly history of the simulated home ending just before `until`, as Home Assistant
 * long-term statistics: what the meter node's history command and HA's energy graphs read.
 * Returns the message and the meter total at the end, where the live meter continues.
 */
export function backfillMessage(
  source: HourSource,
  entityId: string,
  name: string,
  until: number,
  days: number,
  initialKwh = 0,
): { message: ImportStatisticsMessage; total: number } {
  const hours = days * 24;
  const samples = meterSamples(source, until - hours * hourMs, hours, initialKwh);
  return {
    message: {
      type: 'recorder/import_statistics',
      metadata: { statistic_id: entityId, source: 'recorder', has_mean: false, has_sum: true, name, unit_of_measurement: 'kWh' },
      stats: haStatistics(samples, initialKwh),
    },
    total: samples.at(-1)?.total ?? initialKwh,
  };
}
