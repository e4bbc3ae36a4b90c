import { hourMs } from '../../core/units';

/**
 * What the household's "Expected" does (core/anomaly/scoring/series-detector.ts applyFeedback): the same pattern —
 * that hour of day, up to 20 % more — starts no new alert until two retrain intervals after the
 * answered reading; after that it alerts again. The readings to show it: the same far too large
 * hour (20 kWh, extreme for any home) once, a day later and three days later.
 */

export interface HourReading {
  entity_id: string;
  ts: number;
  value: number;
  unit: 'kWh';
  kind: 'energy';
  interval_s: 3600;
}

export function extremeHour(entityId: string, ts: number): HourReading {
  return { entity_id: entityId, ts, value: 20, unit: 'kWh', kind: 'energy', interval_s: 3600 };
}

/** With a retrain interval of `retrainHours`: the answered reading, one inside the quiet window, one after it. */
export function expectedAnswerReadings(entityId: string, firstTs: number, retrainHours: number): { answered: HourReading; inside: HourReading; after: HourReading } {
  const day = 24 * hourMs;
  const window = 2 * retrainHours * hourMs;
  return {
    answered: extremeHour(entityId, firstTs),
    inside: extremeHour(entityId, firstTs + day),
    // the same hour of day, a day past the window
    after: extremeHour(entityId, firstTs + Math.ceil(window / day) * day + day),
  };
}

export const markedExpectedNote = 'like a reading marked expected';
