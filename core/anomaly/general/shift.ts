/**
 * Windowed statistics: the mean of the last few dozen readings against the long-run mean and
 * spread of the series. Catches a level that has moved and stays moved (a valve closed, a door
 * left open), which the forecast learns away within a few dozen readings.
 */
import type { ShiftState } from './state';

export interface ShiftRates {
  /** EWMA weight of the short-window mean. */
  short: number;
  /** EWMA weight of the long-run mean and spread. */
  long: number;
}
/** Long-run updates are clipped at this many spreads, so a shift is absorbed only slowly. */
const clipAt = 3;

export function newShiftState(): ShiftState {
  return { short: 0, mean: 0, spread: 0, n: 0 };
}

/** Robust z of the short-window mean including `value` against the long run. */
export function shiftZ(state: ShiftState, value: number, floor: number, rates: ShiftRates): number {
  if (state.n < 30) return 0;
  const short = state.short + rates.short * (value - state.short);
  return Math.abs(short - state.mean) / (1.25 * Math.max(state.spread, floor));
}

export function learnShift(state: ShiftState, value: number, rates: ShiftRates): void {
  state.n += 1;
  if (state.n === 1) {
    state.short = value;
    state.mean = value;
    return;
  }
  state.short += rates.short * (value - state.short);
  const alpha = Math.max(rates.long, 1 / state.n);
  const deviation = value - state.mean;
  const limit = state.n < 30 ? Infinity : clipAt * 1.25 * state.spread;
  const clipped = deviation > limit ? limit : deviation < -limit ? -limit : deviation;
  state.mean += alpha * clipped;
  state.spread += alpha * (Math.min(Math.abs(deviation), limit) - state.spread);
}
