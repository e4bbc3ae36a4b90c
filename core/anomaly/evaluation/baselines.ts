/** The simple baselines the product is measured against, and a reference that knows the events' timing. */
import { dayMs, hourMs, hourOfDay } from '../../units';
import { hourOfWeek } from '../calendar';
import type { SeriesRow } from '../series-file';
import { median, robustSpread } from '../stats';
import type { EvalDetector } from './detectors';
import type { EventType } from './events';

/** The seed's method learned online: per hour of day, the min and max seen so far. */
export function hourProfileBaseline(): EvalDetector {
  const min = new Array<number>(24).fill(Infinity);
  const max = new Array<number>(24).fill(-Infinity);
  let first: number | null = null;
  return {
    name: 'seed hour-profile (online)',
    score(row) {
      if (row.artefact) return 0;
      first ??= row.ts;
      const hour = hourOfDay(row.ts);
      const lo = min[hour] as number;
      const hi = max[hour] as number;
      const score = row.ts - first >= 7 * dayMs && hi > lo ? (row.value - lo) / (hi - lo) : 0;
      min[hour] = Math.min(lo, row.value);
      max[hour] = Math.max(hi, row.value);
      return score;
    },
  };
}

/**
 * Not a detector a home could run: for each event type it knows the time of day and length the
 * events are injected with, and compares exactly that window (the night 23-07, a working day
 * 08-18, each hour, the always-on minimum over 48 h) with the same window over the previous
 * weeks: score = the window's mean (minimum) / the highest of those. It shows how separable the
 * events are in these homes at all.
 */
export function knownTimingReference(intervalS: number): EvalDetector {
  const windows: { type: EventType; endsAt: (end: Date) => boolean; hours: number; stat: 'mean' | 'min'; refDays: number }[] = [
    { type: 'overnight', endsAt: (end) => end.getHours() === 7, hours: 8, stat: 'mean', refDays: 56 },
    { type: 'heater-day', endsAt: (end) => end.getHours() === 18 && end.getDay() !== 0 && end.getDay() !== 6, hours: 10, stat: 'mean', refDays: 56 },
    { type: 'spike', endsAt: () => true, hours: 1, stat: 'mean', refDays: 56 },
    { type: 'always-on', endsAt: (end) => end.getHours() === 0, hours: 48, stat: 'min', refDays: 28 },
  ];
  const recent: { ts: number; rate: number }[] = [];
  const past = new Map<string, { ts: number; value: number }[]>();
  return {
    name: 'known-timing reference (knows each event type\'s hours; not a detector)',
    score(row) {
      if (row.artefact) return 0;
      recent.push({ ts: row.ts, rate: (row.value * 3600) / intervalS });
      while ((recent[0] as { ts: number }).ts < row.ts - 49 * hourMs) recent.shift();
      const end = new Date(row.ts + intervalS * 1000);
      if (end.getMinutes() !== 0) return 0;
      let score = 0;
      for (const window of windows) {
        if (!window.endsAt(end)) continue;
        const inside = recent.filter((point) => point.ts > end.getTime() - window.hours * hourMs - 1000);
        if (inside.length < 0.9 * ((window.hours * 3600) / intervalS)) continue;
        const value = window.stat === 'min' ? Math.min(...inside.map((point) => point.rate)) : inside.reduce((sum, point) => sum + point.rate, 0) / inside.length;
        const key = `${window.type}@${end.getHours()}`;
        const reference = (past.get(key) ?? []).filter((entry) => entry.ts >= row.ts - window.refDays * dayMs);
        if (reference.length >= 14) score = Math.max(score, value / Math.max(...reference.map((entry) => entry.value), 1e-9));
        reference.push({ ts: row.ts, value });
        past.set(key, reference);
      }
      return score;
    },
  };
}

/** Mean and standard deviation of the last 7 days; alarm above 3 sigma. */
export function windowedGaussianBaseline(windowDays = 7): EvalDetector {
  const recent: SeriesRow[] = [];
  let sum = 0;
  let sumSq = 0;
  return {
    name: `windowed Gaussian (${windowDays} d, 3 sigma)`,
    score(row) {
      if (row.artefact) return 0;
      while (recent.length > 0 && (recent[0] as SeriesRow).ts <= row.ts - windowDays * dayMs) {
        const old = recent.shift() as SeriesRow;
        sum -= old.value;
        sumSq -= old.value * old.value;
      }
      let score = 0;
      if (recent.length >= 48) {
        const mean = sum / recent.length;
        const sd = Math.sqrt(Math.max(sumSq / recent.length - mean * mean, 1e-12));
        score = (row.value - mean) / (3 * sd);
      }
      recent.push(row);
      sum += row.value;
      sumSq += row.value * row.value;
      return score;
    },
  };
}

/** Median and MAD of the same hour of week over the last 8 weeks; alarm above 3.5 robust z. */
export function hourOfWeekMadBaseline(weeks = 8): EvalDetector {
  const slots: SeriesRow[][] = Array.from({ length: 168 }, () => []);
  return {
    name: `hour-of-week median/MAD (${weeks} wk, 3.5)`,
    score(row) {
      if (row.artefact) return 0;
      const slot = slots[hourOfWeek(row.ts)] as SeriesRow[];
      while (slot.length > 0 && (slot[0] as SeriesRow).ts <= row.ts - weeks * 7 * dayMs) slot.shift();
      let score = 0;
      if (slot.length >= 3) {
        const values = slot.map((r) => r.value);
        const center = median(values);
        const spread = Math.max(robustSpread(values, center), 0.01 * Math.abs(center), 1e-6);
        score = (row.value - center) / (3.5 * spread);
      }
      slot.push(row);
      return score;
    },
  };
}
