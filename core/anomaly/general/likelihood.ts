/**
 * An anomaly likelihood in the manner of HTM's: the average of the last few raw error scores
 * against the long-run distribution of that average (a Gaussian), as a tail probability. A run
 * of unusual errors (a level shift, more variance, a changed daily shape) stands out even when
 * no single reading does.
 */
import type { LikelihoodState } from './state';

export const shortWindow = 8;
const longAlpha = 0.003;

export function newLikelihoodState(): LikelihoodState {
  return { recent: new Array<number>(shortWindow).fill(0), next: 0, mean: 0, variance: 0, n: 0 };
}

function shortMean(recent: readonly number[], extra: number | null): number {
  let sum = 0;
  for (const value of recent) sum += value;
  if (extra === null) return sum / recent.length;
  // the window with `extra` in place of the oldest
  return (sum - (recent[0] as number) + extra) / recent.length;
}

/** Upper tail of the standard normal (Abramowitz-Stegun 7.1.26 on erfc). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-x * x);
}

/** -log10 of the tail probability of the short-window average including `raw`. */
export function surprise(state: LikelihoodState, raw: number): number {
  if (state.n < shortWindow * 4) return 0;
  const recent = state.recent;
  let sum = raw;
  for (let i = 1; i < recent.length; i += 1) sum += recent[(state.next + i) % recent.length] as number;
  const average = sum / recent.length;
  const sd = Math.sqrt(Math.max(state.variance, 1e-6));
  const z = (average - state.mean) / sd;
  if (z <= 0) return 0;
  // beyond z = 8 the tail underflows the approximation: grow on the log scale instead
  if (z > 8) return 15.2 + (z - 8) * 3.5;
  return -Math.log10(Math.max(normalTail(z), 1e-300));
}

export function learnLikelihood(state: LikelihoodState, raw: number): void {
  state.recent[state.next] = raw;
  state.next = (state.next + 1) % state.recent.length;
  state.n += 1;
  const average = shortMean(state.recent, null);
  const alpha = Math.max(longAlpha, 1 / state.n);
  const delta = average - state.mean;
  state.mean += alpha * delta;
  state.variance = (1 - alpha) * (state.variance + alpha * delta * delta);
}
