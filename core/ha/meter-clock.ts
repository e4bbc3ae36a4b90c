import { HaConfigError } from './errors';

/**
 * The time the meter cuts intervals by, against the wall clock Home Assistant stamps states with.
 * Production runs on the wall clock itself; a demo runs a simulated clock that passes an hour in
 * seconds, so a simulated home driven through Home Assistant fills an interval every few seconds.
 */
export interface MeterClock {
  /** True only for the wall clock: HA's statistics and history times are meter times too. */
  readonly wall: boolean;
  /** Meter time at wall time `wallMs`. */
  fromWall(wallMs: number): number;
  /** Wall time at which the meter clock reads `meterMs`. */
  toWall(meterMs: number): number;
}

export const wallClock: MeterClock = { wall: true, fromWall: (wallMs) => wallMs, toWall: (meterMs) => meterMs };

export interface SimulatedClockOptions {
  /** Wall time at which simulated time starts to run; until then the clock stands at `simulatedStart`. */
  wallStart: number;
  /** Simulated time at `wallStart`. */
  simulatedStart: number;
  /** Simulated milliseconds per wall millisecond (3600000 / 5000 = 720: an hour every 5 s). */
  speed: number;
}

export function simulatedClock({ wallStart, simulatedStart, speed }: SimulatedClockOptions): MeterClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new HaConfigError(`the meter clock's speed must be a positive number, got ${speed}`);
  if (!Number.isFinite(wallStart) || !Number.isFinite(simulatedStart)) throw new HaConfigError('the meter clock needs its start times');
  return {
    wall: false,
    fromWall: (wallMs) => simulatedStart + Math.max(0, wallMs - wallStart) * speed,
    toWall: (meterMs) => wallStart + (meterMs - simulatedStart) / speed,
  };
}

/**
 * The setting `npm start` passes in STREAM_SMARTS_METER_CLOCK: `speed=720 wall=<ISO> start=<ISO>`
 * (simulated time `start` begins at wall time `wall` and runs `speed` times as fast). Empty: the wall clock.
 */
export function parseMeterClock(setting: string | undefined): MeterClock {
  const text = (setting ?? '').trim();
  if (text === '') return wallClock;
  const fields = new Map<string, string>();
  for (const part of text.split(/[\s,;]+/)) {
    const [key, value, extra] = part.split('=');
    if (!key || value === undefined || extra !== undefined) throw new HaConfigError(`the meter clock '${text}' is not 'speed=N wall=ISO start=ISO'`);
    fields.set(key, value);
  }
  const time = (key: string): number => {
    const value = Date.parse(fields.get(key) ?? '');
    if (!Number.isFinite(value)) throw new HaConfigError(`the meter clock '${text}' needs ${key}=<ISO time>`);
    return value;
  };
  return simulatedClock({ speed: Number(fields.get('speed') ?? NaN), wallStart: time('wall'), simulatedStart: time('start') });
}

export function formatMeterClock(options: SimulatedClockOptions): string {
  return `speed=${options.speed} wall=${new Date(options.wallStart).toISOString()} start=${new Date(options.simulatedStart).toISOString()}`;
}
