/** Scores readings with a fixed, loaded model (no learning): `stream-smarts score`, seed series. */
import type { Reading, ScoredReading } from '../../reading';
import { extremeScore } from '../model/default-model';
import { explain } from './explain';
import { hourProfileExpected, hourProfileScore } from '../model/hour-profile';
import { HomeScorer } from '../model/home-model';
import { checkModelKind, type StoredModel } from '../model/model-dir';
import { scoredReading } from '../model/score';
import { defaultSensitivity, sensitivityThreshold, type Sensitivity } from './sensitivity';
import { unitFactor } from '../../units';
import { effectiveIntervalS, fromRate, toRate } from './rate';

export class FixedScorer {
  private readonly home: HomeScorer | null;
  private newestTs: number | null = null;
  /** Readings scored late (not newer than the newest before them). */
  lateCount = 0;

  constructor(
    readonly model: StoredModel,
    readonly modelId: string,
    /** For learnt home models only: the seed's table and the cold-start extremes are fixed rules. */
    readonly sensitivity: Sensitivity = defaultSensitivity,
  ) {
    this.home = model.type === 'home' ? new HomeScorer(model, sensitivityThreshold[sensitivity]) : null;
  }

  /**
   * A late reading (not newer than the newest so far) is scored alone, flagged `late`, and leaves
   * the state as it was. A reading of a kind the model is not for is a ModelKindError.
   */
  score(reading: Reading): ScoredReading {
    checkModelKind(this.model, reading.kind);
    const late = this.newestTs !== null && reading.ts <= this.newestTs;
    if (late) this.lateCount += 1;
    else this.newestTs = reading.ts;
    const intervalS = effectiveIntervalS(reading, this.model.type === 'home' ? this.model.intervalS : 3600);
    let score: number;
    let expected: number;
    let reason: Parameters<typeof explain>[0]['reason'] = 'profile';
    if (this.model.type === 'hour-profile') {
      const toTable = unitFactor('energy', reading.unit) / unitFactor('energy', this.model.unit);
      score = hourProfileScore(this.model, reading.hour, reading.value * toTable);
      expected = hourProfileExpected(this.model, reading.hour) / toTable;
    } else if (this.model.type === 'default') {
      const rate = toRate(reading, intervalS);
      score = extremeScore(this.model, reading.hour, rate);
      expected = fromRate(this.model.typicalRate?.[reading.hour] ?? 0, reading, intervalS);
      reason = 'extreme';
    } else {
      const home = this.home as HomeScorer;
      const point = { ts: reading.ts, rate: toRate(reading, intervalS) };
      const result = late ? home.scoreAlone(point) : home.score(point);
      score = result.score / sensitivityThreshold[this.sensitivity];
      expected = fromRate(result.expectedRate, reading, intervalS);
      reason = result.reason;
    }
    const scored = scoredReading(reading, score, expected, this.modelId);
    if (late) scored.late = true;
    if (scored.anomaly) scored.explanation = explain({ ts: reading.ts, intervalS, value: reading.value, expected: scored.expected, unit: reading.unit, reason });
    return scored;
  }
}
