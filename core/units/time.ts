export const secondMs = 1000;
export const minuteMs = 60_000;
export const hourMs = 3_600_000;
export const dayMs = 86_400_000;
export const weekMs = 7 * dayMs;

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** Hour of day 0-23 of `ts` in local time, or in the IANA `timeZone` given. */
export function hourOfDay(ts: number, timeZone?: string): number {
  if (timeZone === undefined) return new Date(ts).getHours();
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' });
    hourFormats.set(timeZone, format);
  }
  return Number(format.format(ts));
}

/** Local wall-clock time as "02:10". */
export function clockTime(ts: number): string {
  const date = new Date(ts);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}
