/**
 * A robust one-step forecast of a numeric series: three simple predictors (the level, the level
 * plus a time-of-day profile, the last value extrapolated by its recent slope), each updated with
 * errors clipped at a few robust scales so a spike never drags it, and the one whose recent
 * absolute error is smallest is used.
 */
import type { ForecastState } from './state';

/** Time-of-day buckets of the daily profile (30 minutes each). */
export const profileBuckets = 48;
const dayMs = 86_400_000;
/** Updates are clipped at this many robust scales (Huber). */
const clipAt = 4;
const levelAlpha = 0.15;
const slowAlpha = 0.02;
const profileAlpha = 0.1;
const slopeAlpha = 0.3;
/** How fast each predictor's error record (which one is used) follows. */
const errorAlpha = 0.02;
/** How fast the robust scale (mean absolute error) follows. */
const scaleAlpha = 0.01;

export function newForecastState(): ForecastState {
  return {
    n: 0,
    level: 0,
    slow: 0,
    slope: 0,
    last: 0,
    scale: 0,
    resolution: 0,
    profile: new Array<number>(profileBuckets).fill(0),
    profileSeen: new Array<number>(profileBuckets).fill(0),
    errors: [0, 0, 0],
    firstTs: 0,
  };
}

export function bucketOf(ts: number): number {
  return Math.floor((((ts % dayMs) + dayMs) % dayMs) / (dayMs / profileBuckets));
}

/** The three predictions for a reading at `ts`. */
function predictions(state: ForecastState, ts: number): [number, number, number] {
  const bucket = bucketOf(ts);
  const seasonal = (state.profileSeen[bucket] as number) >= 2 ? state.slow + (state.profile[bucket] as number) : state.level;
  return [state.level, seasonal, state.last + state.slope];
}

/** Whether the daily profile has had time to learn (two days of data). */
function profileReady(state: ForecastState, ts: number): boolean {
  return ts - state.firstTs >= 2 * dayMs;
}

export interface Forecast {
  expected: number;
  /** The robust scale of errors (never below half the series' resolution). */
  scale: number;
}

export function forecast(state: ForecastState, ts: number): Forecast {
  const [level, seasonal, trend] = predictions(state, ts);
  let expected = level;
  let best = state.errors[0] as number;
  if (profileReady(state, ts) && (state.errors[1] as number) < best) {
    expected = seasonal;
    best = state.errors[1] as number;
  }
  if ((state.errors[2] as number) < best) expected = trend;
  return { expected, scale: floorScale(state) };
}

export function floorScale(state: ForecastState): number {
  const floor = Math.max(state.resolution / 2, 1e-9 * Math.abs(state.level), 1e-12);
  return Math.max(state.scale, floor);
}

const clip = (value: number, limit: number): number => (value > limit ? limit : value < -limit ? -limit : value);

/** Learns one reading (in time order). */
export function learn(state: ForecastState, ts: number, value: number): void {
  if (state.n === 0) {
    state.level = value;
    state.slow = value;
    state.last = value;
    state.firstTs = ts;
    state.n = 1;
    return;
  }
  const step = value - state.last;
  if (step !== 0) {
    const size = Math.abs(step);
    if (state.resolution === 0 || size < state.resolution) state.resolution = size;
  }
  const [level, seasonal, trend] = predictions(state, ts);
  const scale = floorScale(state);
  const limit = clipAt * scale;
  const error = value - level;
  const warm = state.n < 20;
  // the first readings set the scale from plain differences, then it follows clipped errors
  const absError = Math.abs(error);
  state.scale = warm ? state.scale + (absError - state.scale) / state.n : state.scale + scaleAlpha * (Math.min(absError, limit) - state.scale);
  const limited = warm ? error : clip(error, limit);
  state.level += levelAlpha * limited;
  state.slow += slowAlpha * (warm ? value - state.slow : clip(value - state.slow, 3 * limit));
  const bucket = bucketOf(ts);
  const residual = value - state.slow;
  const seen = state.profileSeen[bucket] as number;
  const old = state.profile[bucket] as number;
  state.profile[bucket] = seen === 0 ? residual : old + profileAlpha * clip(residual - old, limit);
  state.profileSeen[bucket] = seen + 1;
  state.slope += slopeAlpha * (clip(step, limit) - state.slope);
  const errs = state.errors;
  errs[0] = (errs[0] as number) + errorAlpha * (Math.min(absError, limit) - (errs[0] as number));
  errs[1] = (errs[1] as number) + errorAlpha * (Math.min(Math.abs(value - seasonal), limit) - (errs[1] as number));
  errs[2] = (errs[2] as number) + errorAlpha * (Math.min(Math.abs(value - trend), limit) - (errs[2] as number));
  state.last = value;
  state.n += 1;
}
