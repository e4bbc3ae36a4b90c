/** Local-time calendar slots the models learn per: hour of day, hour of week. */
export const hoursPerWeek = 168;

export function hourOfWeek(ts: number): number {
  const date = new Date(ts);
  return date.getDay() * 24 + date.getHours();
}

export function hourOfDay(ts: number): number {
  return new Date(ts).getHours();
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

export const dayMs = 86_400_000;
export const hourMs = 3_600_000;
