/**
 * One `other` series (any numeric sensor), online: each reading scored at once by the general
 * detector and learnt from, so it alerts within hours of its first reading. A late reading (not
 * newer than the newest: out of order, a duplicate, a clock set back) is scored against what is
 * known, flagged `late` and not learnt from.
 */
import type { Reading, ScoredReading } from '../../reading';
import { scoredReading } from '../model/score';
import { GeneralCore, type GeneralReason } from './general-core';
import { generalStateVersion, type GeneralDetectorState } from './state';

export const generalModelId = 'general@1';

export interface GeneralSeriesStatus {
  phase: 'learning' | 'ready';
  have: number;
  need: number;
  lastScore: number | null;
  modelId: string;
  late: number;
}

const roundish = (value: number): string => (Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString());

function describe(reason: GeneralReason, value: number, expected: number, unit: string): string {
  const shown = `${roundish(value)}${unit ? ` ${unit}` : ''}`;
  const usual = `${roundish(expected)}${unit ? ` ${unit}` : ''}`;
  if (reason === 'stuck') return `${shown}: unchanged for unusually long (stuck sensor?)`;
  if (reason === 'shift') return `${shown}: the level has moved (usually about ${usual})`;
  if (reason === 'spike') return `${shown}, usually about ${usual}`;
  return `${shown}, unusual for a while (usually about ${usual})`;
}

export class GeneralDetector {
  private core = new GeneralCore();
  private lastTs: number | null = null;
  private lastScore: number | null = null;
  private lateCount = 0;

  constructor(readonly entityId: string) {}

  get lastReadingTs(): number | null {
    return this.lastTs;
  }

  score(reading: Reading): ScoredReading {
    const late = this.lastTs !== null && reading.ts <= this.lastTs;
    if (late) this.lateCount += 1;
    if (reading.artefact || !Number.isFinite(reading.value)) {
      const scored = scoredReading(reading, 0, reading.value, generalModelId, reading.artefact ? `${reading.artefact}: not scored` : 'not a number: not scored');
      if (late) scored.late = true;
      return scored;
    }
    if (!late) this.lastTs = reading.ts;
    const result = this.core.step(reading.ts, reading.value, !late);
    this.lastScore = result.score;
    const explanation = result.score > 1 ? describe(result.reason, reading.value, result.expected, reading.unit) : undefined;
    const scored = scoredReading(reading, result.score, result.expected, generalModelId, explanation);
    if (late) scored.late = true;
    return scored;
  }

  status(): GeneralSeriesStatus {
    const need = 60;
    return {
      phase: this.core.state.n >= need ? 'ready' : 'learning',
      have: this.core.state.n,
      need,
      lastScore: this.lastScore,
      modelId: generalModelId,
      late: this.lateCount,
    };
  }

  snapshot(): GeneralDetectorState {
    return {
      detector: 'general',
      version: generalStateVersion,
      entityId: this.entityId,
      core: structuredClone(this.core.state),
      lastTs: this.lastTs,
      lastScore: this.lastScore,
      lateCount: this.lateCount,
      modelId: generalModelId,
    };
  }

  restore(state: GeneralDetectorState): void {
    if (state.detector !== 'general' || state.version !== generalStateVersion) throw new Error(`cannot restore ${state.detector}@${state.version} state into a general detector (needs general@${generalStateVersion})`);
    if (state.entityId !== this.entityId) throw new Error(`state of ${state.entityId} cannot restore ${this.entityId}`);
    this.core = new GeneralCore(structuredClone(state.core));
    this.lastTs = state.lastTs;
    this.lastScore = state.lastScore;
    this.lateCount = state.lateCount;
  }
}
