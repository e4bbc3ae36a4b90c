/** The anomalies `npm run eval` injects into real homes: where they go and what they add. */
import { dayMs, hourMs } from '../../units';
import type { SeriesRow } from '../series-file';
import { seededRandom } from '../stats';

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

/** Alarms closer than this form one episode: one alert, as a household sees it. */
export const episodeGapMs = 3 * hourMs;

/** Whether `ts` falls in one of the events or the 24 h after it (where an alarm is not a false one). */
export function duringEvent(events: readonly InjectedEvent[], ts: number): boolean {
  return events.some((event) => ts >= event.start && ts < event.end + 24 * hourMs);
}
