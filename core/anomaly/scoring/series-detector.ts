/**
 * One series, online: scores each reading at once (never waits for training), keeps its
 * history, starts from the default model (only extremes alert) and, once it has enough
 * history, trains its own model, retraining on a schedule and swapping atomically.
 */
import type { Reading, ScoredReading } from '../../reading';
import { dayMs, hourMs, hourOfDay, rateUnitOf, readingConversion, UnitError } from '../../units';
import { extremeScore, type DefaultModelParams } from '../model/default-model';
import { explain } from './explain';
import type { Feedback } from '../../feedback';
import { isSuppressed, type Suppression } from './suppression';
import { defaultSensitivity, sensitivityThreshold, type Sensitivity } from './sensitivity';
import { fitHomeModel, minTrainingPoints, type FitOptions, type FitReport } from '../training/fit';
import { HomeScorer, type HomeModelParams } from '../model/home-model';
import { seriesStateVersion, type SeriesDetectorState } from '../../state/series-state';
import { finiteScore, scoredReading } from '../model/score';
import { effectiveIntervalS, fromRate, minIntervalS, toRate } from './rate';
import { SeriesHistory, type HistoryPoint } from './series-history';
import { defaultTuning, GeneralCore } from '../general/general-core';
import { explainGeneral } from '../general/explain';

/** A general (kind other) series keeps only this many readings: it learns online, never trains. */
const generalHistoryPoints = 256;
export const generalModelId = 'general@1';

/** Anomalous readings closer than this belong to one alert. */
const alertGapMs = 3 * hourMs;

export type { HistoryPoint } from './series-history';

export interface SeriesDetectorOptions {
  entityId: string;
  defaultModel?: DefaultModelParams | null;
  /** Days of history before the series gets its own model. */
  learnDays?: number;
  retrainEveryMs?: number;
  /** Days of history kept (default 91: retraining learns from the last 90). */
  keepDays?: number;
  fit?: Partial<FitOptions>;
  /** A model trained earlier (e.g. loaded from its directory). */
  model?: HomeModelParams | null;
  modelId?: string;
  /** Train on readings that were flagged (and not marked by the household) too. */
  trainOnFlagged?: boolean;
  /** How readily the home's own model alerts (the cold-start extremes do not depend on it). */
  sensitivity?: Sensitivity;
}

export interface SeriesStatus {
  phase: 'learning' | 'ready';
  have: number;
  need: number;
  training: boolean;
  lastScore: number | null;
  modelId: string;
  /** Readings scored late (not newer than the newest before them), since the start. */
  late: number;
}

export class SeriesDetector {
  private history = new SeriesHistory();
  private scorer: HomeScorer | null = null;
  private trainedAt: number | null = null;
  private training: Promise<FitReport | null> | null = null;
  private suppressions: Suppression[] = [];
  private hourSums = new Float64Array(24);
  private hourCounts = new Float64Array(24);
  private intervalS = 3600;
  private lastTs: number | null = null;
  private lastScore: number | null = null;
  private lastAlarmTs: number | null = null;
  private lateCount = 0;
  /** The series' canonical unit, from its first reading: a gas meter stays in m³ or in Wh. */
  private unit: string | null = null;
  private modelId: string;
  /** Any numeric sensor (kind other) without a model of its own: the general streaming detector. */
  private general: GeneralCore | null;
  readonly learnDays: number;
  readonly retrainEveryMs: number;

  constructor(private readonly options: SeriesDetectorOptions) {
    this.learnDays = options.learnDays ?? 14;
    this.retrainEveryMs = options.retrainEveryMs ?? dayMs;
    this.general = this.usesGeneral() ? new GeneralCore() : null;
    this.modelId = options.modelId ?? (this.general ? generalModelId : 'default (cold start)');
    if (options.model) {
      this.scorer = new HomeScorer(options.model, this.alertAt());
      this.intervalS = options.model.intervalS;
    }
  }

  /**
   * A general series past warm-up: one standard deviation of its forecast errors, in the unit of
   * `sample` (a reading of this series); null for any other series or while it warms up.
   */
  generalSpread(sample: Reading): number | null {
    if (!this.general?.warmedUp) return null;
    return fromRate(this.general.errorSpread, sample, Math.round(this.intervalS));
  }

  /** The newest reading's time (null before the first). */
  get lastReadingTs(): number | null {
    return this.lastTs;
  }

  get model(): HomeModelParams | null {
    return this.scorer?.params ?? null;
  }

  private usesGeneral(): boolean {
    return this.options.fit?.readingKind === 'other' && !this.options.model;
  }

  status(): SeriesStatus {
    const need = this.general ? defaultTuning.warmup : Math.round((this.learnDays * 86400) / this.intervalS);
    const ready = this.general ? this.general.state.n >= need : this.scorer !== null;
    return {
      phase: ready ? 'ready' : 'learning',
      have: this.general ? this.general.state.n : this.history.length,
      need,
      training: this.training !== null,
      lastScore: this.lastScore,
      modelId: this.modelId,
      late: this.lateCount,
    };
  }

  /**
   * Everything this series has learnt (model, history window, scorer's drift and CUSUM state,
   * alert cooldown, suppressions, late count), as versioned plain data for a state store.
   */
  snapshot(): SeriesDetectorState {
    return {
      detector: 'series',
      version: seriesStateVersion,
      entityId: this.options.entityId,
      history: this.history.columns(),
      model: this.scorer ? this.scorer.params : null,
      scorerState: this.scorer ? this.scorer.saveState() : null,
      trainedAt: this.trainedAt,
      suppressions: this.suppressions.map((rule) => ({ ...rule })),
      hourSums: Array.from(this.hourSums),
      hourCounts: Array.from(this.hourCounts),
      intervalS: this.intervalS,
      lastTs: this.lastTs,
      lastScore: this.lastScore,
      lastAlarmTs: this.lastAlarmTs,
      lateCount: this.lateCount,
      unit: this.unit,
      modelId: this.modelId,
      general: this.general ? structuredClone(this.general.state) : null,
    };
  }

  /** Continues from a snapshot of this series (replaces whatever this detector learnt). */
  restore(state: SeriesDetectorState): void {
    if (state.detector !== 'series' || state.version !== seriesStateVersion) throw new Error(`cannot restore ${state.detector}@${state.version} state into a series detector (needs series@${seriesStateVersion})`);
    if (state.entityId !== this.options.entityId) throw new Error(`state of ${state.entityId} cannot restore ${this.options.entityId}`);
    this.history = SeriesHistory.fromColumns(state.history);
    this.scorer = state.model ? new HomeScorer(state.model, this.alertAt()) : null;
    if (this.scorer && state.scorerState) this.scorer.restoreState(state.scorerState);
    this.trainedAt = state.trainedAt;
    this.suppressions = state.suppressions.map((rule) => ({ ...rule }));
    this.hourSums = Float64Array.from(state.hourSums);
    this.hourCounts = Float64Array.from(state.hourCounts);
    this.intervalS = state.intervalS;
    this.lastTs = state.lastTs;
    this.lastScore = state.lastScore;
    this.lastAlarmTs = state.lastAlarmTs;
    this.lateCount = state.lateCount;
    this.unit = state.unit;
    this.modelId = state.modelId;
    this.general = state.general ? new GeneralCore(structuredClone(state.general)) : this.usesGeneral() && !this.scorer ? new GeneralCore() : null;
  }

  /** The history window as points, oldest first (a copy). */
  historySnapshot(): readonly HistoryPoint[] {
    return this.history.points();
  }

  get historyLength(): number {
    return this.history.length;
  }

  get newestHistoryTs(): number | undefined {
    return this.history.lastTs();
  }

  /**
   * Scores one reading synchronously and records it in the history. A late reading (not newer
   * than the newest so far: out of order, a duplicate, a clock set back) is scored against what
   * is known, flagged `late` and kept out of the history, so windows stay in time order.
   */
  score(reading: Reading): ScoredReading {
    this.keepUnit(reading);
    const late = this.lastTs !== null && reading.ts <= this.lastTs;
    if (late) this.lateCount += 1;
    if (this.lastTs !== null && reading.ts > this.lastTs) {
      // sub-second spacing (a burst, a bench) is not a metering interval: rates use at least minIntervalS
      const step = Math.max(minIntervalS, (reading.ts - this.lastTs) / 1000);
      // a running estimate of the sampling interval, robust to the odd gap
      if (step < this.intervalS * 3) this.intervalS = 0.9 * this.intervalS + 0.1 * step;
      if (this.history.length < 3) this.intervalS = step;
    }
    const intervalS = effectiveIntervalS(reading, Math.round(this.intervalS));
    const rate = toRate(reading, intervalS);
    const hour = hourOfDay(reading.ts);
    if (reading.artefact) {
      const expected = this.coldExpected(hour, rate);
      return this.result(reading, 0, fromRate(expected, reading, intervalS), `meter ${reading.artefact}: not scored`, late);
    }
    const base = this.scorer?.params.base;
    if (rate === 0 && (reading.kind === 'energy' || reading.kind === 'power') && base && base.level > 20) {
      // exactly nothing while the always-on load is never below tens of W: a meter outage, not use
      const expected = this.scorer ? this.coldExpected(hour, rate) : rate;
      return this.result({ ...reading, artefact: 'outage' }, 0, fromRate(expected, reading, intervalS), `meter outage? 0 while the always-on load is usually ${Math.round(base.level)} W: not scored`, late);
    }
    if (!late) this.lastTs = reading.ts;
    let score: number;
    let usageScore: number;
    let expectedRate: number;
    let reason: Parameters<typeof explain>[0]['reason'];
    let baseRate: number | undefined;
    let baseExpected: number | undefined;
    let generalExplanation: string | undefined;
    if (this.general) {
      const result = this.general.step(reading.ts, rate, !late);
      // calibrated at the default sensitivity; another one scales it as it does a learnt model's
      score = (result.score * sensitivityThreshold[defaultSensitivity]) / this.alertAt();
      usageScore = score;
      expectedRate = result.expected;
      reason = 'extreme';
      if (score > 1) generalExplanation = explainGeneral(result.reason, reading.value, fromRate(result.expected, reading, intervalS), reading.unit);
    } else if (this.scorer) {
      const point = { ts: reading.ts, rate };
      const result = late ? this.scorer.scoreAlone(point) : this.scorer.score(point);
      // the model's own calibration decides what stays out of training; the sensitivity only what alerts
      score = result.score / this.alertAt();
      usageScore = result.usageScore;
      expectedRate = result.expectedRate;
      reason = result.reason;
      if (reason === 'drift' && result.alwaysOn) {
        baseRate = result.alwaysOn.rate;
        baseExpected = result.alwaysOn.usual;
      }
    } else {
      expectedRate = this.coldExpected(hour, rate);
      const inWatts = reading.kind === 'energy' || reading.kind === 'power';
      score = this.options.defaultModel && inWatts ? extremeScore(this.options.defaultModel, hour, rate) : 0;
      usageScore = score;
      reason = 'extreme';
    }
    let note: string | undefined;
    // a pattern marked expected does not start a new alert; an alert already running is not cut into pieces
    const startsAlert = this.lastAlarmTs === null || reading.ts - this.lastAlarmTs > alertGapMs;
    if (score > 1 && startsAlert && isSuppressed(this.suppressions, reading.ts, hour, rate)) {
      score = 0.99;
      usageScore = Math.min(usageScore, score);
      note = 'like a reading marked expected';
    }
    if (score > 1) this.lastAlarmTs = Math.max(this.lastAlarmTs ?? reading.ts, reading.ts);
    if (!late) this.remember({ ts: reading.ts, rate, hour, flagged: usageScore > 1 });
    this.lastScore = finiteScore(score);
    const expected = fromRate(expectedRate, reading, intervalS);
    let explanation = note;
    if (score > 1 && generalExplanation) explanation = generalExplanation;
    else if (score > 1) {
      explanation = explain({
        ts: reading.ts,
        intervalS,
        value: reading.value,
        expected,
        unit: reading.unit,
        reason,
        baseRate,
        baseExpected,
        baseHours: this.scorer?.params.driftHours,
        rateUnit: rateUnitOf(reading.kind, reading.unit),
      });
    }
    return this.result(reading, score, expected, explanation, late);
  }

  private remember(point: HistoryPoint): void {
    this.hourSums[point.hour] = (this.hourSums[point.hour] as number) + point.rate;
    this.hourCounts[point.hour] = (this.hourCounts[point.hour] as number) + 1;
    this.history.push(point);
    this.trim(point.ts);
  }

  private keepUnit(reading: Reading): void {
    const unit = readingConversion(reading.kind, reading.unit).unit;
    this.unit ??= unit;
    if (unit !== this.unit && reading.kind !== 'other') throw new UnitError(`${reading.entity_id} is measured in ${this.unit}; a reading in ${reading.unit} cannot join it`);
  }

  private result(reading: Reading, rawScore: number, rawExpected: number, explanation: string | undefined, late: boolean): ScoredReading {
    const scored = scoredReading(reading, rawScore, rawExpected, this.modelId, explanation);
    if (late) scored.late = true;
    return scored;
  }

  private coldExpected(hour: number, rate: number): number {
    const count = this.hourCounts[hour] as number;
    if (count > 0) return (this.hourSums[hour] as number) / count;
    return this.options.defaultModel?.typicalRate?.[hour] ?? rate;
  }

  private trim(now: number): void {
    if (this.general && this.history.length > 2 * generalHistoryPoints) this.history.dropBefore(this.history.tsAt(this.history.length - generalHistoryPoints));
    const keepMs = (this.options.keepDays ?? 91) * dayMs;
    // trim in daily chunks, not per reading, so the columns are rarely moved
    if ((this.history.firstTs() ?? now) >= now - keepMs - dayMs) return;
    this.history.dropBefore(now - keepMs);
  }

  /** The model's score at which this series alerts: its sensitivity's threshold. */
  private alertAt(): number {
    return sensitivityThreshold[this.options.sensitivity ?? defaultSensitivity];
  }

  /** Whether a (re)train is due at time `now` (data time or wall time, as the caller runs). */
  needsTraining(now: number): boolean {
    if (this.training || this.general) return false;
    if (this.history.length < minTrainingPoints) return false;
    const first = this.history.firstTs() as number;
    // never replace a model (e.g. one loaded from its folder) with one learnt from less history
    if (now - first < this.learnDays * dayMs) return false;
    if (this.trainedAt === null) return true;
    return now - this.trainedAt >= this.retrainEveryMs;
  }

  /** Trains on a snapshot of the history; scoring continues meanwhile; the swap is atomic. */
  retrain(now: number, onProgress?: (fraction: number, stage: string) => void): Promise<FitReport | null> {
    if (this.training) return this.training;
    // a general series learns online: nothing to train
    if (this.general) return Promise.resolve(null);
    const snapshot: { ts: number; rate: number }[] = [];
    for (let index = 0; index < this.history.length; index += 1) {
      const feedback = this.history.feedbackAt(index);
      if (feedback === 'expected' || (feedback !== 'investigate' && (!this.history.flaggedAt(index) || this.options.trainOnFlagged))) snapshot.push({ ts: this.history.tsAt(index), rate: this.history.rateAt(index) });
    }
    const kind = this.options.fit?.readingKind ?? 'energy';
    const run = async (): Promise<FitReport | null> => {
      try {
        // a sparse history (long gaps, most readings flagged) waits for the next schedule
        if (snapshot.length < minTrainingPoints) return null;
        const { params, report } = await fitHomeModel(snapshot, {
          readingKind: kind,
          unit: this.unit ?? readingConversion(kind, '').unit,
          intervalS: Math.max(minIntervalS, Math.round(this.intervalS)),
          autoencoder: this.scorer?.params.autoencoder ?? this.options.defaultModel?.autoencoder ?? null,
          // online retrains stay small: recent windows, a few epochs from the previous weights
          historyDays: 90,
          maxWindows: 1500,
          epochs: this.scorer?.params.autoencoder ? 3 : 8,
          ...this.options.fit,
          onProgress,
        });
        const next = new HomeScorer(params, this.alertAt());
        // replay the last day so the new scorer's state (window, CUSUM) is warm, and its always-on window
        const since = (this.lastTs ?? now) - dayMs;
        const alwaysOnSince = (this.lastTs ?? now) - params.driftHours * hourMs;
        for (let index = 0; index < this.history.length; index += 1) {
          const point = { ts: this.history.tsAt(index), rate: this.history.rateAt(index) };
          if (point.ts >= since) next.step(point);
          else if (point.ts > alwaysOnSince) next.primeAlwaysOn(point);
        }
        this.scorer = next;
        this.modelId = `home@1:${this.options.entityId}:${new Date(report.to).toISOString().slice(0, 10)}`;
        return report;
      } finally {
        this.trainedAt = now;
        this.training = null;
      }
    };
    this.training = run();
    return this.training;
  }

  /**
   * Adds past readings (e.g. the meter node's history) as training history without scoring
   * them; readings already in the history (same ts) are skipped. Returns how many were added.
   */
  addHistory(readings: readonly Reading[]): number {
    const points = this.history.points();
    const known = new Set(points.map((point) => point.ts));
    const newestBefore = this.lastTs ?? -Infinity;
    let added = 0;
    for (const reading of readings) {
      if (reading.artefact || known.has(reading.ts)) continue;
      this.keepUnit(reading);
      const rate = toRate(reading, effectiveIntervalS(reading, Math.round(this.intervalS)));
      if (!Number.isFinite(rate)) continue;
      const hour = hourOfDay(reading.ts);
      points.push({ ts: reading.ts, rate, hour, flagged: false });
      this.hourSums[hour] = (this.hourSums[hour] as number) + rate;
      this.hourCounts[hour] = (this.hourCounts[hour] as number) + 1;
      known.add(reading.ts);
      added += 1;
    }
    points.sort((a, b) => a.ts - b.ts);
    this.history.replace(points);
    // the general detector warms up on the history newer than what it has seen, in time order
    if (this.general) for (const point of points) if (point.ts > newestBefore) this.general.step(point.ts, point.rate);
    if (points.length >= 3) {
      const steps: number[] = [];
      for (let i = 1; i < points.length; i += 1) steps.push(((points[i] as HistoryPoint).ts - (points[i - 1] as HistoryPoint).ts) / 1000);
      steps.sort((a, b) => a - b);
      const step = steps[Math.floor(steps.length / 2)] as number;
      if (step > 0) this.intervalS = Math.max(minIntervalS, step);
    }
    const last = points[points.length - 1];
    if (last) {
      this.lastTs = Math.max(this.lastTs ?? last.ts, last.ts);
      this.trim(this.lastTs);
    }
    return added;
  }

  /** Applies household feedback to the reading at `feedback.ts`; false when it is not in the history. */
  applyFeedback(feedback: Feedback): boolean {
    const index = this.history.indexOf(feedback.ts);
    if (index < 0) return false;
    this.history.setFeedback(index, feedback.feedback);
    const point = this.history.pointAt(index);
    if (feedback.feedback === 'expected') {
      const now = this.lastTs ?? point.ts;
      // until two retrains have passed: the marked reading is in the training history by then
      this.suppressions = this.suppressions.filter((rule) => rule.until >= now);
      this.suppressions.push({ hour: point.hour, rate: point.rate, until: now + 2 * this.retrainEveryMs });
    }
    return true;
  }
}
