/** Scores a series with a detector and counts detections, delays and false-alarm episodes. */
import { dayMs, hourMs } from '../../units';
import type { SeriesRow } from '../series-file';
import type { EvalDetector } from './detectors';
import { duringEvent, episodeGapMs, eventTypes, type EventType, type InjectedEvent } from './events';

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
