/**
 * One alert per event: once a reading alerts, the readings after it that are no worse belong to
 * the same event and are held just under the alert line, until the series has been calm for a
 * while. A level shift or a stuck signal that lasts then alerts once, at its start, not on every
 * reading until the detector has learnt it; a markedly worse reading (a second, larger anomaly)
 * alerts again.
 */
import type { EventState } from './state';

/** Readings in a row below the alert line that end an event. */
const calmToEnd = 12;
/** How much worse than the event's peak a reading must be to alert again within it. */
const worseBy = 2;
/** Where a held reading's score is capped: high, visibly, but not an alert. */
export const heldScore = 0.95;

export function newEventState(): EventState {
  return { peak: 0, calm: 0 };
}

/** The score to report for `score` within the current event (if any). */
export function eventScore(state: EventState, score: number): number {
  if (state.peak === 0 || score > state.peak * worseBy) return score;
  return Math.min(score, heldScore);
}

export function learnEvent(state: EventState, score: number): void {
  if (score > 1) {
    state.peak = Math.max(state.peak, score);
    state.calm = 0;
    return;
  }
  if (state.peak === 0) return;
  state.calm += 1;
  if (state.calm >= calmToEnd) state.peak = 0;
}
