/**
 * Many series at once, as the `smarts-anomaly` node runs them: each entity gets the model its
 * mapping names (e.g. seed.power → seed-hour-profile, a fixed table), else its own trained
 * folder if one exists, else the default model adapting to it online. Scoring is synchronous
 * once a series is loaded; training runs in the background and saves the series' folder.
 */
import { stat } from 'node:fs/promises';
import type { Reading, ScoredReading } from '../../reading';
import type { AnomalyLogger } from '../model/backend';
import { dayMs } from '../../units';
import type { DefaultModelParams } from '../model/default-model';
import type { Feedback } from '../../feedback';
import { FixedScorer } from './fixed-scorer';
import { defaultSensitivity, type Sensitivity } from './sensitivity';
import { minTrainingPoints, type FitReport } from '../training/fit';
import { folderFor, loadModelDir, modelKinds, resolveInside, saveModelDir, ModelDirError } from '../model/model-dir';
import { LocationDetector } from './location';
import { scoredReading } from '../model/score';
import { SeriesDetector, type SeriesStatus } from './series-detector';
import { expectedBand, generalBand, previewSensitivities, RecentRing, type SensitivityPreview, type SeriesDescription } from './describe';
import type { DetectorState } from '../../state/series-state';

export interface AnomalyServiceOptions {
  /** Where series' own models are saved and looked for, and the default and mapped models first. */
  modelDir: string;
  /** Where the default and mapped models are found when modelDir lacks them (the package's shipped models). */
  fallbackModelDir?: string;
  /** entity_id → model folder name (inside modelDir). Unmapped series use `defaultModel`. */
  mapping?: Readonly<Record<string, string>>;
  defaultModel?: string;
  learnDays?: number;
  retrainEveryMs?: number;
  sensitivity?: Sensitivity;
  /** Save each series' trained model under modelDir/<entity folder>. */
  save?: boolean;
  /** Keep each series' recent scored readings for the editor's chart and preview (default true; the worker has no editor). */
  keepRecent?: boolean;
  logger?: AnomalyLogger;
}

type Series =
  | { kind: 'fixed'; scorer: FixedScorer; lastScore: number | null }
  | { kind: 'online'; detector: SeriesDetector }
  | { kind: 'location'; detector: LocationDetector };

export interface RetrainingOptions {
  /** How often due (re)trainings are looked for (default every minute). */
  checkEveryMs?: number;
  onProgress?: (entityId: string, fraction: number) => void;
  onTrained?: (entityId: string, report: FitReport | null) => void;
  onError?: (error: Error) => void;
}

export interface ServiceStatus {
  series: number;
  training: string | null;
  trainingProgress: number | null;
  last: { entityId: string; status: SeriesStatus } | null;
}

export class AnomalyService {
  private readonly series = new Map<string, Series>();
  private readonly loading = new Map<string, Promise<Series>>();
  private defaultParams: DefaultModelParams | null | undefined;
  private lastEntity: string | null = null;
  private trainingEntity: string | null = null;
  private trainingProgress: number | null = null;
  /** Per series: its newest scored readings and when its model was last trained, for describeSeries. */
  private readonly recent = new Map<string, RecentRing>();
  private readonly trainedAt = new Map<string, number>();
  /** Restored state of series not loaded yet: applied when their first reading opens them. */
  private readonly restoredStates = new Map<string, DetectorState>();

  constructor(private readonly options: AnomalyServiceOptions) {}

  private async loadDefault(): Promise<DefaultModelParams | null> {
    if (this.defaultParams !== undefined) return this.defaultParams;
    const name = this.options.defaultModel ?? 'default';
    try {
      const loaded = await loadModelDir(await this.sharedModelFolder(name), { logger: this.options.logger });
      if (loaded.model.type !== 'default') throw new ModelDirError(`${loaded.dir}: the ${loaded.model.type} model is not a default model`);
      this.defaultParams = loaded.model;
    } catch (error) {
      this.options.logger?.warn?.(`anomaly: no default model (${(error as Error).message}); new series alert only once trained`);
      this.defaultParams = null;
    }
    return this.defaultParams;
  }

  /** A default or mapped model's folder: in modelDir if it is there, else among the fallback's. */
  private async sharedModelFolder(name: string): Promise<string> {
    const own = resolveInside(this.options.modelDir, name);
    const fallback = this.options.fallbackModelDir;
    if (fallback === undefined || (await isDirectory(own))) return own;
    const shipped = resolveInside(fallback, name);
    return (await isDirectory(shipped)) ? shipped : own;
  }

  private async open(reading: Reading): Promise<Series> {
    const entityId = reading.entity_id;
    if (reading.kind === 'location') return { kind: 'location', detector: new LocationDetector(entityId, this.options.learnDays ?? 14) };
    const mapped = this.options.mapping?.[entityId];
    if (mapped) {
      const loaded = await loadModelDir(await this.sharedModelFolder(mapped), { kind: reading.kind, logger: this.options.logger });
      if (loaded.model.type === 'hour-profile' || loaded.model.type === 'home') {
        this.noteCreated(entityId, loaded.metadata.createdAt);
        return { kind: 'fixed', scorer: new FixedScorer(loaded.model, `${mapped}@${loaded.metadata.version}`, this.options.sensitivity), lastScore: null };
      }
    }
    const shared = await this.loadDefault();
    // loaded before any reading, so checked here against each series' first: a series of another kind starts without it
    const defaultModel = shared && modelKinds(shared).includes(reading.kind) ? shared : null;
    const own = resolveInside(this.options.modelDir, folderFor(entityId));
    let model = null;
    if (await isDirectory(own)) {
      try {
        const loaded = await loadModelDir(own, { kind: reading.kind, logger: this.options.logger });
        if (loaded.model.type === 'home') {
          model = loaded.model;
          this.noteCreated(entityId, loaded.metadata.createdAt);
        }
      } catch (error) {
        if (!(error instanceof ModelDirError)) throw error;
        this.options.logger?.warn?.(`anomaly: ignoring ${own}: ${error.message}`);
      }
    }
    const detector = new SeriesDetector({
      entityId,
      defaultModel,
      model,
      ...(model ? { modelId: `home@1:${folderFor(entityId)}` } : {}),
      learnDays: this.options.learnDays,
      retrainEveryMs: this.options.retrainEveryMs ?? dayMs,
      ...(this.options.sensitivity ? { sensitivity: this.options.sensitivity } : {}),
      fit: { readingKind: reading.kind, twoSided: reading.kind === 'other', logger: this.options.logger },
    });
    const restored = this.restoredStates.get(entityId);
    if (restored) {
      this.restoredStates.delete(entityId);
      detector.restore(restored);
    }
    return { kind: 'online', detector };
  }

  /** The learned state of an online series (null for fixed-model, location or unknown series). */
  snapshotSeries(entityId: string): DetectorState | null {
    const series = this.series.get(entityId);
    return series?.kind === 'online' ? series.detector.snapshot() : null;
  }

  /**
   * Takes a series' state from a state store: applied at once if the series is loaded and the
   * state is newer than what it knows, else when its first reading opens it.
   */
  restoreSeries(state: DetectorState): void {
    const series = this.series.get(state.entityId);
    if (!series) {
      this.restoredStates.set(state.entityId, state);
      return;
    }
    if (series.kind === 'online' && (state.lastTs ?? -Infinity) > (series.detector.lastReadingTs ?? -Infinity)) series.detector.restore(state);
  }

  /** Loads the series' model if needed (the first reading of a series waits for that). */
  async ensure(reading: Reading): Promise<void> {
    if (this.series.has(reading.entity_id)) return;
    let pending = this.loading.get(reading.entity_id);
    if (!pending) {
      pending = this.open(reading);
      this.loading.set(reading.entity_id, pending);
    }
    try {
      this.series.set(reading.entity_id, await pending);
    } finally {
      this.loading.delete(reading.entity_id);
    }
  }

  private noteCreated(entityId: string, createdAt: string): void {
    const when = Date.parse(createdAt);
    if (Number.isFinite(when)) this.trainedAt.set(entityId, when);
  }

  /** Synchronous scoring of a reading whose series is loaded (call ensure first). */
  scoreLoaded(reading: Reading): ScoredReading {
    const scored = this.scoreSeries(reading);
    if (this.options.keepRecent === false) return scored;
    let ring = this.recent.get(reading.entity_id);
    if (!ring) this.recent.set(reading.entity_id, (ring = new RecentRing()));
    ring.push(reading, scored);
    return scored;
  }

  private scoreSeries(reading: Reading): ScoredReading {
    const series = this.series.get(reading.entity_id);
    if (!series) throw new Error(`series ${reading.entity_id} is not loaded`);
    this.lastEntity = reading.entity_id;
    if (series.kind === 'fixed') {
      const scored = series.scorer.score(reading);
      series.lastScore = scored.score;
      return scored;
    }
    if (series.kind === 'location') return scoreLocationReading(series.detector, reading);
    return series.detector.score(reading);
  }

  async score(readings: readonly Reading[]): Promise<ScoredReading[]> {
    for (const reading of readings) await this.ensure(reading);
    return readings.map((reading) => this.scoreLoaded(reading));
  }

  /** Trains `entityId` now from a history array (the meter node's history), reporting progress. */
  async train(readings: readonly Reading[], onProgress?: (fraction: number) => void): Promise<FitReport | null> {
    const first = readings[0];
    if (!first) throw new ModelDirError('train needs a non-empty history array');
    await this.ensure(first);
    const series = this.series.get(first.entity_id) as Series;
    if (series.kind === 'location') {
      for (const reading of readings) scoreLocationReading(series.detector, reading);
      return null;
    }
    if (series.kind === 'fixed') throw new ModelDirError(`${first.entity_id} uses a fixed model (${series.scorer.modelId}); it does not train`);
    series.detector.addHistory(readings.filter((reading) => reading.entity_id === first.entity_id));
    const have = series.detector.historyLength;
    if (have < minTrainingPoints) throw new ModelDirError(`too little history to train ${first.entity_id}: ${have} readings (need at least ${minTrainingPoints})`);
    return this.runTraining(first.entity_id, series.detector, onProgress);
  }

  private async runTraining(entityId: string, detector: SeriesDetector, onProgress?: (fraction: number) => void): Promise<FitReport | null> {
    this.trainingEntity = entityId;
    this.trainingProgress = 0;
    try {
      const last = detector.newestHistoryTs ?? Date.now();
      const report = await detector.retrain(Math.max(last, Date.now()), (fraction) => {
        this.trainingProgress = fraction;
        onProgress?.(fraction);
      });
      if (report && this.options.save !== false && detector.model) {
        await saveModelDir(resolveInside(this.options.modelDir, folderFor(entityId)), detector.model, {
          from: report.from,
          to: report.to,
          points: report.points,
          backend: report.backend,
          logger: this.options.logger,
        });
      }
      if (report) this.trainedAt.set(entityId, Date.now());
      return report;
    } finally {
      this.trainingEntity = null;
      this.trainingProgress = null;
    }
  }

  /** Starts due (re)trainings in the background; never awaited by scoring. Returns how many started. */
  retrainDue(now: number, options: Omit<RetrainingOptions, 'checkEveryMs'> = {}): number {
    let started = 0;
    for (const [entityId, series] of this.series) {
      if (series.kind !== 'online' || !series.detector.needsTraining(now) || this.trainingEntity) continue;
      started += 1;
      this.runTraining(entityId, series.detector, (fraction) => options.onProgress?.(entityId, fraction)).then(
        (report) => options.onTrained?.(entityId, report),
        (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error))),
      );
    }
    return started;
  }

  /**
   * The one retrain schedule (the node's and the worker's): due retrainings are looked for every
   * `checkEveryMs` of wall time; training yields between epochs, so scoring goes on. Returns stop.
   */
  startRetraining(options: RetrainingOptions = {}): () => void {
    const timer = setInterval(() => this.retrainDue(Date.now(), options), options.checkEveryMs ?? 60_000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The series seen so far, for the dialog's choice. */
  seriesIds(): string[] {
    return [...this.series.keys()].sort();
  }

  /** Read-only: what the series' model expects by hour, its recent scored readings, when it last trained. */
  describeSeries(entityId: string): SeriesDescription {
    const series = this.series.get(entityId);
    const ring = this.recent.get(entityId);
    const sample = ring?.sample() ?? null;
    const model = series?.kind === 'online' ? series.detector.model : series?.kind === 'fixed' ? series.scorer.model : null;
    const detector = series?.kind === 'online' ? series.detector : null;
    const generalSpread = detector && sample ? detector.generalSpread(sample) : null;
    const recent = ring?.list() ?? [];
    let band = model && sample ? expectedBand(model, sample) : null;
    if (!band && sample && generalSpread !== null) band = generalBand(recent, generalSpread, sample.unit);
    const status = detector?.status() ?? null;
    return {
      entityId,
      hasModel: band !== null,
      modelId: status?.modelId ?? (series?.kind === 'fixed' ? series.scorer.modelId : series?.kind === 'location' ? 'location@1' : null),
      band,
      recent,
      lastTrained: this.trainedAt.get(entityId) ?? (generalSpread !== null ? (detector?.lastReadingTs ?? null) : null),
      sensitivity: this.options.sensitivity ?? defaultSensitivity,
      learning: status && status.phase === 'learning' ? { have: status.have, need: status.need } : null,
    };
  }

  /** How many alerts each sensitivity would have raised over the series' recent scored readings. */
  previewSensitivities(entityId: string): SensitivityPreview {
    const series = this.series.get(entityId);
    const learnt = (series?.kind === 'online' && series.detector.model !== null) || (series?.kind === 'fixed' && series.scorer.model.type === 'home');
    return previewSensitivities(this.recent.get(entityId)?.list() ?? [], this.options.sensitivity ?? defaultSensitivity, learnt);
  }

  feedback(feedback: Feedback): boolean {
    const series = this.series.get(feedback.entity_id);
    return series?.kind === 'online' ? series.detector.applyFeedback(feedback) : false;
  }

  status(): ServiceStatus {
    let last: ServiceStatus['last'] = null;
    const series = this.lastEntity ? this.series.get(this.lastEntity) : undefined;
    if (this.lastEntity && series) {
      let status: SeriesStatus;
      if (series.kind === 'online') status = series.detector.status();
      else if (series.kind === 'fixed') status = { phase: 'ready', have: 0, need: 0, training: false, lastScore: series.lastScore, modelId: series.scorer.modelId, late: series.scorer.lateCount };
      else {
        const location = series.detector.status();
        status = { phase: location.ready ? 'ready' : 'learning', have: location.have, need: location.need, training: false, lastScore: location.lastScore, modelId: 'location@1', late: 0 };
      }
      last = { entityId: this.lastEntity, status };
    }
    return { series: this.series.size, training: this.trainingEntity, trainingProgress: this.trainingProgress, last };
  }
}

/** A location reading: distance from the places usual at that hour and kind of day. */
function scoreLocationReading(detector: LocationDetector, reading: Reading): ScoredReading {
  if (reading.latitude === undefined || reading.longitude === undefined) {
    throw new ModelDirError(`a location reading needs latitude and longitude (${reading.entity_id})`);
  }
  const result = detector.score({ ts: reading.ts, latitude: reading.latitude, longitude: reading.longitude });
  // for a location, what is expected is to be at a usual place: 0 km from it
  const model = result.ready ? 'location@1' : 'location@1 (learning)';
  const explanation = result.score > 1 ? `${result.distanceKm.toFixed(1)} km from the places usual at this hour` : undefined;
  return scoredReading(reading, result.score, 0, model, explanation);
}

function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => found.isDirectory(),
    () => false,
  );
}
