/**
 * A signal gone flat: the same value many times in a row, where this series rarely repeats. The
 * run needed grows with how often the series repeats a value anyway (a slowly changing sensor at
 * coarse resolution repeats a lot), so that it is unlikely by chance.
 */
import type { StuckState } from './state';

const shareAlpha = 0.01;
/** The chance of a run this long by chance, at which it alerts. */
const chance = 1e-6;
const minRun = 12;
const longestRunFactor = 1.5;

export function newStuckState(): StuckState {
  return { run: 0, repeatShare: 0.5, last: null, n: 0 };
}

/** Readings in a row needed to call it stuck. */
export function stuckRunNeeded(state: StuckState): number {
  const share = Math.min(Math.max(state.repeatShare, 1e-3), 0.98);
  return Math.max(minRun, Math.log(chance) / Math.log(share));
}

/** Score of the run including a reading of `value` (> 1: stuck): it must also outlast the series' own longest run by half. */
export function stuckScore(state: StuckState, value: number): number {
  if (state.n < 50 || state.last === null || value !== state.last) return 0;
  return (state.run + 1) / Math.max(stuckRunNeeded(state), longestRunFactor * (state.longestRun ?? 0));
}

export function learnStuck(state: StuckState, value: number): void {
  const repeat = state.last !== null && value === state.last;
  if (!repeat && state.n >= 50) state.longestRun = Math.max(state.longestRun ?? 0, state.run + 1);
  state.run = repeat ? state.run + 1 : 0;
  // a run already unusual is not learnt as the series' normal repetition
  if (!repeat || state.run < minRun) state.repeatShare += shareAlpha * ((repeat ? 1 : 0) - state.repeatShare);
  state.last = value;
  state.n += 1;
}
