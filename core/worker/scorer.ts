import type { Reading, ScoredReading } from '../reading';

/**
 * What the worker needs from the anomaly models: scores a reading with its series' model.
 * Calls for one series come one at a time, in the series' order.
 */
export interface ReadingScorer {
  score(reading: Reading): Promise<ScoredReading>;
  /** Scores a run of one series' readings at once, in order, where the scorer can share work between them. */
  scoreRun?(readings: Reading[]): Promise<ScoredReading[]>;
  close?(): Promise<void>;
}
