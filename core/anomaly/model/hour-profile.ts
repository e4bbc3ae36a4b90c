/**
 * The seed's ANOMOLY_POWER: per hour of day (min, max); score (v - min) / (max - min),
 * -1 for an hour outside 0..23. Values in the table's unit (Wh for the seed).
 */
export interface HourProfileParams {
  type: 'hour-profile';
  unit: string;
  hours: { hour: number; min: number; max: number }[];
}

export function hourProfileScore(params: HourProfileParams, hour: number, value: number): number {
  const row = Number.isInteger(hour) ? params.hours.find((candidate) => candidate.hour === hour) : undefined;
  if (!row) return -1;
  return (value - row.min) / (row.max - row.min);
}

export function hourProfileExpected(params: HourProfileParams, hour: number): number {
  const row = params.hours.find((candidate) => candidate.hour === hour);
  return row ? (row.min + row.max) / 2 : Number.NaN;
}

/** Learns the table from history as the seed did: each hour's observed min and max. */
export function learnHourProfile(points: readonly { hour: number; value: number }[], unit: string): HourProfileParams {
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, min: Infinity, max: -Infinity }));
  for (const point of points) {
    const row = hours[point.hour];
    if (!row) continue;
    row.min = Math.min(row.min, point.value);
    row.max = Math.max(row.max, point.value);
  }
  return { type: 'hour-profile', unit, hours: hours.filter((row) => Number.isFinite(row.min) && row.max > row.min) };
}
