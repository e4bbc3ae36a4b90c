/**
 * The quality measurement behind `npm run eval`: real homes with realistic anomalies injected
 * at recorded places, scored online at score > 1 by the product and by simple baselines.
 */
import type { Reading } from '../../reading';
import { dayMs, hourMs, hourOfDay } from '../../units';
import { hourOfWeek } from '../calendar';
import type { SeriesRow } from '../series-file';
import type { FitOptions } from '../training/fit';
import { SeriesDetector } from '../scoring/series-detector';
import type { Sensitivity } from '../scoring/sensitivity';
import { median, robustSpread, seededRandom } from '../stats';

export type EventType = 'overnight' | 'heater-day' | 'spike' | 'always-on';
export const eventTypes: EventType[] = ['overnight', 'heater-day', 'spike', 'always-on'];

export interface InjectedEvent {
  type: EventType;
  start: number;
  end: number;
  /** Added power in W. */
  watts: number;
}

/** Added power per event type: a 1 kW appliance overnight, a 2 kW heater 08-18, a 3 kW hour, +40 W for 3 days. */
const eventShapes: Record<EventType, { watts: number; startHour: number | null; hours: number; weekday?: boolean }> = {
  overnight: { watts: 1000, startHour: 23, hours: 8 },
  'heater-day': { watts: 2000, startHour: 8, hours: 10, weekday: true },
  spike: { watts: 3000, startHour: null, hours: 1 },
  'always-on': { watts: 40, startHour: 0, hours: 72 },
};

/** Places events every `spacingDays` from `from`, cycling through the types; deterministic per seed. */
export function planEvents(from: number, to: number, seed: number, spacingDays = 9): InjectedEvent[] {
  const random = seededRandom(seed);
  const events: InjectedEvent[] = [];
  let day = Math.ceil(from / dayMs) * dayMs;
  let index = 0;
  while (day + 5 * dayMs < to) {
    const type = eventTypes[index % eventTypes.length] as EventType;
    const shape = eventShapes[type];
    let start = new Date(day + Math.floor(random() * 3) * dayMs);
    if (shape.weekday) while (start.getDay() === 0 || start.getDay() === 6) start = new Date(start.getTime() + dayMs);
    const hour = shape.startHour ?? Math.floor(random() * 24);
    start.setHours(hour, 0, 0, 0);
    events.push({ type, start: start.getTime(), end: start.getTime() + shape.hours * hourMs, watts: shape.watts });
    day += spacingDays * dayMs;
    index += 1;
  }
  return events;
}

/** Adds the events' energy to rows of kWh per interval. */
export function injectEvents(rows: readonly SeriesRow[], events: readonly InjectedEvent[], intervalS: number): SeriesRow[] {
  let cursor = 0;
  return rows.map((row) => {
    while (cursor < events.length && (events[cursor] as InjectedEvent).end <= row.ts) cursor += 1;
    const event = events[cursor];
    if (!event || row.ts < event.start || row.artefact) return row;
    return { ...row, value: row.value + (event.watts / 1000) * (intervalS / 3600) };
  });
}

/** A detector under evaluation: consumes rows in order, returns a score per row (> 1 = alarm). */
export interface EvalDetector {
  name: string;
  score(row: SeriesRow, index: number): Promise<number> | number;
}

export interface ProductEvalOptions {
  withoutAutoencoder?: boolean;
  retrainDays?: number;
  learnDays?: number;
  fit?: Partial<FitOptions>;
  trainOnFlagged?: boolean;
  /**
   * A household that answers every alert: "investigate" when it starts in one of these events
   * (or the 24 h after), "expected" otherwise.
   */
  answers?: readonly InjectedEvent[];
  sensitivity?: Sensitivity;
}

/** Alarms closer than this form one episode: one alert, as a household sees it. */
const episodeGapMs = 3 * hourMs;

/** Whether `ts` falls in one of the events or the 24 h after it (where an alarm is not a false one). */
function duringEvent(events: readonly InjectedEvent[], ts: number): boolean {
  return events.some((event) => ts >= event.start && ts < event.end + 24 * hourMs);
}

export function productDetector(name: string, intervalS: number, options: ProductEvalOptions = {}): EvalDetector {
  const detector = new SeriesDetector({
    entityId: 'eval',
    learnDays: options.learnDays ?? 28,
    retrainEveryMs: (options.retrainDays ?? 7) * dayMs,
    trainOnFlagged: options.trainOnFlagged ?? false,
    ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}),
    fit: { readingKind: 'energy', withoutAutoencoder: options.withoutAutoencoder ?? false, ...options.fit },
  });
  let lastAlarm = -Infinity;
  return {
    name,
    async score(row) {
      if (detector.needsTraining(row.ts)) await detector.retrain(row.ts);
      const reading: Reading = {
        entity_id: 'eval',
        ts: row.ts,
        value: row.value,
        unit: 'kWh',
        kind: 'energy',
        hour: hourOfDay(row.ts),
        interval_s: intervalS,
      };
      if (row.artefact) reading.artefact = row.artefact;
      const { score } = detector.score(reading);
      if (options.answers && score > 1) {
        if (row.ts - lastAlarm > episodeGapMs) {
          detector.applyFeedback({ entity_id: 'eval', ts: row.ts, feedback: duringEvent(options.answers, row.ts) ? 'investigate' : 'expected' });
        }
        lastAlarm = row.ts;
      }
      return score;
    },
  };
}

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

export interface DetectorResult {
  detector: string;
  home: string;
  events: number;
  detected: number;
  byType: Record<EventType, { events: number; detected: number }>;
  delaysHours: number[];
  falseAlarms: number;
  weeks: number;
}

const tolerance: Record<EventType, number> = { overnight: 0, 'heater-day': 0, spike: 0, 'always-on': 12 * hourMs };

/** Runs one detector over a home's injected series; counts alarm episodes (gaps up to 3 h merge). */
export async function evaluateDetector(
  home: string,
  rows: readonly SeriesRow[],
  events: readonly InjectedEvent[],
  detector: EvalDetector,
  testFrom: number,
): Promise<DetectorResult> {
  const scored = await scoreSeries(rows, detector, testFrom);
  return countAlarms(home, detector.name, scored, events, testFrom, (rows[rows.length - 1] as SeriesRow).ts, 1);
}

export interface ScoredRow {
  ts: number;
  score: number;
}

/** Scores every row in order (the detector learns from all of them); keeps the scores from `testFrom` on. */
export async function scoreSeries(rows: readonly SeriesRow[], detector: EvalDetector, testFrom: number): Promise<ScoredRow[]> {
  const scored: ScoredRow[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as SeriesRow;
    const score = await detector.score(row, i);
    if (row.ts >= testFrom) scored.push({ ts: row.ts, score });
  }
  return scored;
}

/**
 * Counts detections and false-alarm episodes of scores above `threshold` (1 is the product's
 * own; other values show what a lower or higher sensitivity would give). Alarms up to 3 h apart
 * form one episode, as a household would see one alert. What counts is where an episode starts:
 * it detects the event it starts in (always-on: up to 12 h after), and is a false alarm when it
 * starts outside every event and the 24 h after it. An alarm that began before an event and
 * runs on into it detects nothing: the household was not told anything new.
 */
export function countAlarms(
  home: string,
  detectorName: string,
  scored: readonly ScoredRow[],
  events: readonly InjectedEvent[],
  testFrom: number,
  last: number,
  threshold: number,
): DetectorResult {
  const onsets: number[] = [];
  let previous = -Infinity;
  for (const row of scored) {
    if (!(row.score > threshold)) continue;
    if (row.ts - previous > episodeGapMs) onsets.push(row.ts);
    previous = row.ts;
  }
  const byType = Object.fromEntries(eventTypes.map((type) => [type, { events: 0, detected: 0 }])) as DetectorResult['byType'];
  const delays: number[] = [];
  let detected = 0;
  for (const event of events) {
    const hit = onsets.find((ts) => ts >= event.start && ts < event.end + tolerance[event.type]);
    byType[event.type].events += 1;
    if (hit !== undefined) {
      detected += 1;
      byType[event.type].detected += 1;
      delays.push((hit - event.start) / hourMs);
    }
  }
  const falseAlarms = onsets.filter((ts) => !duringEvent(events, ts)).length;
  return {
    detector: detectorName,
    home,
    events: events.length,
    detected,
    byType,
    delaysHours: delays,
    falseAlarms,
    weeks: Math.max((last - testFrom) / (7 * dayMs), 1e-9),
  };
}
