/** Local-time calendar slots the models learn per: hour of week, kind of day. */
import { hourOfDay } from '../units';

export const hoursPerWeek = 168;

export function hourOfWeek(ts: number): number {
  const date = new Date(ts);
  return date.getDay() * 24 + hourOfDay(ts);
}

export function isWeekend(ts: number): boolean {
  const day = new Date(ts).getDay();
  return day === 0 || day === 6;
}

/** Hour of day as a point on the unit circle, so 23:00 and 00:00 are neighbours. */
export function hourCycle(ts: number): [number, number] {
  const date = new Date(ts);
  const angle = ((date.getHours() + date.getMinutes() / 60) / 24) * 2 * Math.PI;
  return [Math.sin(angle), Math.cos(angle)];
}
