import type { Reading, ScoredReading } from '../reading';
import type { DetectorState } from '../state/series-state';

/**
 * What the worker needs from the anomaly models: scores a reading with its series' model.
 * Calls for one series come one at a time, in the series' order.
 */
export interface ReadingScorer {
  score(reading: Reading): Promise<ScoredReading>;
  /** Scores a run of one series' readings at once, in order, where the scorer can share work between them. */
  scoreRun?(readings: Reading[]): Promise<ScoredReading[]>;
  close?(): Promise<void>;
  /** A series' learned state, for the changelog (null when it has none to keep). */
  snapshot?(entityId: string): DetectorState | null;
  /** Continues a series from its changelog state (before its next reading is scored). */
  restore?(state: DetectorState): void;
}
