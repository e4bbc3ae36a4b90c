import { householdParams, type HouseholdParams } from './household-params';
import { randomFor, type Random } from './random';
import { dayMs, hourMs, hourOfDay, minuteMs } from '../units';

export const loadParts = ['base', 'fridge', 'activity', 'kettle', 'cooking', 'washing', 'dishwasher', 'heater', 'ev', 'anomaly'] as const;
export type LoadPart = (typeof loadParts)[number];

/** One simulated clock hour of the home's consumption. */
export interface SimHour {
  /** Epoch ms of the hour's start (local clock hour). */
  start: number;
  /** Local hour of day 0-23. */
  hour: number;
  weekend: boolean;
  /** Energy used in the hour, kWh. */
  kwh: number;
  /** What the energy was used by, kWh each (parts that used nothing are left out). */
  parts: Partial<Record<LoadPart, number>>;
  /** Set when an injected anomaly added to this hour. */
  anomaly?: string;
}

/** Anything that can say what the home used in the hour starting at `start`. */
export interface HourSource {
  hourAt(start: number): SimHour;
}

/** An appliance running at constant power over [start, end) (epoch ms). */
interface Run {
  part: LoadPart;
  start: number;
  end: number;
  kw: number;
}

export function startOfHour(ts: number): number {
  const date = new Date(ts);
  date.setMinutes(0, 0, 0);
  return date.getTime();
}

function startOfDay(ts: number): Date {
  const date = new Date(ts);
  date.setHours(0, 0, 0, 0);
  return date;
}

function isWeekend(date: Date): boolean {
  return date.getDay() === 0 || date.getDay() === 6;
}

/** 1 in mid-January, 0 from spring to autumn (northern hemisphere). */
export function winterness(ts: number): number {
  const date = new Date(ts);
  const dayOfYear = (date.getTime() - new Date(date.getFullYear(), 0, 1).getTime()) / dayMs;
  return Math.max(0, Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.25));
}

function at(day: Date, hours: number): number {
  const date = new Date(day);
  date.setHours(0, Math.round(hours * 60), 0, 0);
  return date.getTime();
}

function runFor(part: LoadPart, start: number, minutes: number, kwh: number): Run {
  return { part, start, end: start + minutes * minuteMs, kw: kwh / (minutes / 60) };
}

/** The appliance runs of one day, decided by that day's own random draws. */
function dayPlan(params: HouseholdParams, day: Date): Run[] {
  const rng = randomFor(params.seed, `day:${day.getFullYear()}-${day.getMonth() + 1}-${day.getDate()}`);
  const weekend = isWeekend(day);
  const runs: Run[] = [];
  const { kettle, cooking, washingMachine, dishwasher, ev } = params;

  for (const hour of weekend ? kettle.weekendHours : kettle.weekdayHours) {
    if (rng.chance(kettle.probability)) {
      runs.push(runFor('kettle', at(day, hour + rng.between(0, 0.9)), kettle.minutes, (kettle.kw * kettle.minutes) / 60));
    }
  }
  let dinnerEnd = at(day, cooking.dinnerHour + 1);
  if (rng.chance(cooking.dinnerProbability)) {
    const minutes = rng.between(cooking.minutes[0], cooking.minutes[1]);
    const run = runFor('cooking', at(day, cooking.dinnerHour + rng.between(-1, 1)), minutes, (cooking.kw * minutes) / 60);
    runs.push(run);
    dinnerEnd = run.end;
  }
  if (weekend && rng.chance(cooking.lunchProbability)) {
    const minutes = rng.between(cooking.minutes[0], cooking.minutes[1]) / 2;
    runs.push(runFor('cooking', at(day, cooking.lunchHour + rng.between(-0.5, 0.5)), minutes, (cooking.kw * minutes) / 60));
  }
  if (rng.chance(washingMachine.probabilityPerDay)) {
    const [from, to] = weekend ? washingMachine.weekendStart : washingMachine.weekdayStart;
    const start = at(day, rng.between(from, to));
    const heating = 30;
    runs.push(runFor('washing', start, heating, washingMachine.kwhPerCycle * 0.75));
    runs.push(runFor('washing', start + heating * minuteMs, washingMachine.minutes - heating, washingMachine.kwhPerCycle * 0.25));
  }
  if (rng.chance(dishwasher.probabilityPerDay)) {
    const start = dinnerEnd + (dishwasher.startAfterDinnerHours + rng.between(-0.5, 0.5)) * hourMs;
    runs.push(runFor('dishwasher', start, dishwasher.minutes, dishwasher.kwhPerCycle));
  }
  if (ev && rng.chance(ev.sessionsPerWeek / 7)) {
    const minutes = (ev.kwhPerSession / ev.kw) * 60;
    runs.push(runFor('ev', at(day, ev.startHour + rng.between(0, 1)), minutes, ev.kwhPerSession));
  }
  return runs;
}

function overlapHours(run: Run, start: number, end: number): number {
  return Math.max(0, Math.min(run.end, end) - Math.max(run.start, start)) / hourMs;
}

function fridgeKwh(params: HouseholdParams, start: number, activity: number): number {
  const { compressorW, cycleMinutes, dutyCycle } = params.fridge;
  const onMinutesPerCycle = cycleMinutes * Math.min(0.9, dutyCycle + 0.15 * activity);
  const phaseOffset = (params.seed * 7919) % cycleMinutes;
  const firstMinute = Math.floor(start / minuteMs);
  let onMinutes = 0;
  for (let m = 0; m < 60; m += 1) {
    if ((firstMinute + m + phaseOffset) % cycleMinutes < onMinutesPerCycle) onMinutes += 1;
  }
  return (compressorW * onMinutes) / 60 / 1000;
}

function logNormal(rng: Random, sigma: number): number {
  return Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
}

function round(kwh: number): number {
  return Math.round(kwh * 1e6) / 1e6;
}

/** A simulated household: the energy of any hour is a pure function of its parameters and the hour. */
export function createHousehold(overrides: Partial<HouseholdParams> = {}): HourSource & { params: HouseholdParams } {
  const params = householdParams(overrides);
  const plans = new Map<number, Run[]>();
  const planOf = (day: Date): Run[] => {
    const key = day.getTime();
    let plan = plans.get(key);
    if (!plan) {
      if (plans.size > 8) plans.clear();
      plan = dayPlan(params, day);
      plans.set(key, plan);
    }
    return plan;
  };

  return {
    params,
    hourAt(ts: number): SimHour {
      const start = startOfHour(ts);
      const end = start + hourMs;
      const day = startOfDay(start);
      const hour = hourOfDay(start);
      const weekend = isWeekend(day);
      const activity = (weekend ? params.activity.weekend : params.activity.weekday)[hour] ?? 0;
      const rng = randomFor(params.seed, `hour:${start}`);
      const winter = winterness(start);
      const dark = hour >= 16 || hour <= 8 ? 1 + 0.3 * winter : 1;

      const parts: Partial<Record<LoadPart, number>> = {
        base: params.baseLoadW / 1000,
        fridge: fridgeKwh(params, start, activity),
        activity: (params.activityW / 1000) * activity * dark * logNormal(rng, params.noise),
      };
      if (params.heater && activity >= 0.3 && winter > 0) {
        parts.heater = params.heater.kw * winter * activity * rng.between(0.6, 1);
      }
      const yesterday = new Date(day);
      yesterday.setDate(day.getDate() - 1);
      for (const run of [...planOf(yesterday), ...planOf(day)]) {
        const energy = run.kw * overlapHours(run, start, end);
        if (energy > 0) parts[run.part] = (parts[run.part] ?? 0) + energy;
      }
      let kwh = 0;
      for (const part of loadParts) {
        const value = parts[part];
        if (value === undefined) continue;
        parts[part] = round(value);
        kwh += value;
      }
      return { start, hour, weekend, kwh: round(kwh), parts };
    },
  };
}

/** `hours` consecutive hours from the hour containing `from`. */
export function simulateHours(source: HourSource, from: number, hours: number): SimHour[] {
  const result: SimHour[] = [];
  let start = startOfHour(from);
  for (let i = 0; i < hours; i += 1) {
    result.push(source.hourAt(start));
    start += hourMs;
  }
  return result;
}
