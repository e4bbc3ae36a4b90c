/**
 * How large a series' scores usually get: a running high quantile of a z (stochastic quantile
 * tracking: a step up when a z passes it, a small step down otherwise, each a share of the
 * estimate, so a single huge z moves it no more than a small one). A series spiky or restless by nature (a server's request
 * counts, a quantised sensor) has a high quantile far above a Gaussian's, and a spike or a shift
 * must stand out from those to alert.
 */
import type { TailState } from './state';

/** The quantile tracked: one error in 200 passes it. */
const level = 0.995;
/** Step of the estimate, as a share of it (at least of z = 1). */
const step = 0.1;

export function newTailState(): TailState {
  return { q: 0, n: 0 };
}

export function learnTail(state: TailState, z: number): void {
  const size = step * Math.max(state.q, 1);
  state.q = Math.max(0, state.q + (z > state.q ? size * level : -size * (1 - level)));
  state.n += 1;
}

/** The z needed to alert: `floor`, or `margin` times the series' usual high z. */
export function tailThreshold(state: TailState, floor: number, margin: number): number {
  return Math.max(floor, margin * state.q);
}
