/** A detector under evaluation, and the product's own detector (SeriesDetector) as one. */
import type { Reading } from '../../reading';
import { dayMs, hourOfDay } from '../../units';
import type { SeriesRow } from '../series-file';
import type { FitOptions } from '../training/fit';
import { SeriesDetector } from '../scoring/series-detector';
import type { Sensitivity } from '../scoring/sensitivity';
import { duringEvent, episodeGapMs, type InjectedEvent } from './events';

/** A detector under evaluation: consumes rows in order, returns a score per row (> 1 = alarm). */
export interface EvalDetector {
  name: string;
  score(row: SeriesRow, index: number): Promise<number> | number;
}

export interface ProductEvalOptions {
  withoutAutoencoder?: boolean;
  retrainDays?: number;
  learnDays?: number;
  fit?: Partial<FitOptions>;
  trainOnFlagged?: boolean;
  /**
   * A household that answers every alert: "investigate" when it starts in one of these events
   * (or the 24 h after), "expected" otherwise.
   */
  answers?: readonly InjectedEvent[];
  sensitivity?: Sensitivity;
}

export function productDetector(name: string, intervalS: number, options: ProductEvalOptions = {}): EvalDetector {
  const detector = new SeriesDetector({
    entityId: 'eval',
    learnDays: options.learnDays ?? 28,
    retrainEveryMs: (options.retrainDays ?? 7) * dayMs,
    trainOnFlagged: options.trainOnFlagged ?? false,
    ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}),
    fit: { readingKind: 'energy', withoutAutoencoder: options.withoutAutoencoder ?? false, ...options.fit },
  });
  let lastAlarm = -Infinity;
  return {
    name,
    async score(row) {
      if (detector.needsTraining(row.ts)) await detector.retrain(row.ts);
      const reading: Reading = {
        entity_id: 'eval',
        ts: row.ts,
        value: row.value,
        unit: 'kWh',
        kind: 'energy',
        hour: hourOfDay(row.ts),
        interval_s: intervalS,
      };
      if (row.artefact) reading.artefact = row.artefact;
      const { score } = detector.score(reading);
      if (options.answers && score > 1) {
        if (row.ts - lastAlarm > episodeGapMs) {
          detector.applyFeedback({ entity_id: 'eval', ts: row.ts, feedback: duringEvent(options.answers, row.ts) ? 'investigate' : 'expected' });
        }
        lastAlarm = row.ts;
      }
      return score;
    },
  };
}
