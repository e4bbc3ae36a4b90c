/**
 * Fits a home model from a series' own history: profile, autoencoder, base load, and the
 * per-component thresholds calibrated on the most recent, held-back part of the history.
 */
import type { ReadingKind } from '../../reading';
import { dayMs, hourMs, hourOfDay } from '../../units';
import { hourOfWeek, hoursPerWeek } from '../calendar';
import type { DenseLayer } from '../model/dense';
import { contextAutoencoderShape, trainAutoencoder } from '../model/autoencoder';
import type { AnomalyLogger } from '../model/backend';
import {
  HomeScorer,
  alwaysOnBase,
  type AlwaysOnBase,
  componentNames,
  contextInput,
  contextTarget,
  transform,
  type Components,
  type ComponentName,
  type HomeModelParams,
  type PointInput,
} from '../model/home-model';
import { median, quantile, robustSpread } from '../stats';

export interface FitOptions {
  readingKind: ReadingKind;
  unit: string;
  intervalS: number;
  twoSided?: boolean;
  /** Days of the most recent history the profile and thresholds come from. */
  profileDays?: number;
  /** Days of history the autoencoder learns from (older points are ignored). */
  historyDays?: number;
  /** Share of the profile window held back for calibration. */
  holdBack?: number;
  window?: number;
  /** Single intervals alert only when the hour-of-week profile and the autoencoder's context agree. */
  agree?: boolean;
  /** Allowance of the residual CUSUM (spread units per hour); null turns it off. */
  cusumK?: number | null;
  /** Restart the CUSUM once it alerts (default: yes). */
  cusumRestart?: boolean;
  /** Take a raised always-on load as the new usual once it has alerted (default: yes). */
  driftRebase?: boolean;
  /** Window (hours) of the always-on load's minimum. */
  driftHours?: number;
  /** Days of daily always-on minima the usual level and its spread come from. */
  baseDays?: number;
  /** Time constant of the slow residual level (0 disables it). */
  levelDays?: number;
  /** How residuals are normalised: by each hour-of-week slot's spread, the hour of day's, or one for all. */
  spreadMode?: 'slot' | 'hour' | 'uniform';
  /** Multiplies the asinh scale: large values make the model compare rates linearly. */
  scaleFactor?: number;
  epochs?: number;
  maxWindows?: number;
  seed?: number;
  /** Start the autoencoder from these weights (the default model), e.g. to adapt it. */
  autoencoder?: DenseLayer[] | null;
  /** Skip the autoencoder entirely (baseline comparisons). */
  withoutAutoencoder?: boolean;
  calibration?: Partial<Calibration>;
  logger?: AnomalyLogger;
  onProgress?: (fraction: number, stage: string) => void;
}

/** How thresholds come out of held-back components: max(floor, margin * quantile(level)). */
export interface Calibration {
  /**
   * 'tail': fit an exponential tail above the 90th percentile and set the threshold where the
   * chance per reading is `tailRate` (a principled false-alarm budget); 'max': margin x quantile.
   */
  mode: 'tail' | 'max';
  tailRate: number;
  level: number;
  /** Components calibrated per hour of day (with the neighbouring hours), at `hourLevel`. */
  perHour: ComponentName[];
  hourLevel: number;
  hourMargin: number;
  margin: Components;
  floor: Components;
  /**
   * Components whose threshold is this many of their own spreads, not learnt from their past
   * values: the always-on minimum stays up for days after an unnoticed rise, so its past maximum
   * would hide the next one.
   */
  fixed: Partial<Components>;
}

export const defaultCalibration: Calibration = {
  mode: 'max',
  tailRate: 3e-4,
  level: 0.999,
  perHour: ['point', 'persist'],
  hourLevel: 1,
  hourMargin: 1.2,
  margin: { point: 1.1, context: 1.25, persist: 1.1, drift: 1.1, cusum: 1.1 },
  floor: { point: 3, context: 3, persist: 1.5, drift: 3, cusum: 3 },
  fixed: { drift: 3.5 },
};

export interface FitReport {
  points: number;
  from: number;
  to: number;
  loss: number | null;
  backend: string | null;
  heldBack: number;
  /** Share of held-back points with score > 1 under the final thresholds. */
  heldBackAboveThreshold: number;
  /** Points that came earlier than one before them (sorted into time order). */
  outOfOrder: number;
  /** Points dropped because a later one had the same timestamp (the last value is kept). */
  duplicatesDropped: number;
}

export interface OrderedHistory<T extends PointInput> {
  points: T[];
  outOfOrder: number;
  duplicatesDropped: number;
}

/** The history in time order with one point per timestamp (the last given wins), and what that took. */
export function orderedHistory<T extends PointInput>(history: readonly T[]): OrderedHistory<T> {
  let outOfOrder = 0;
  let newest = -Infinity;
  for (const point of history) {
    if (point.ts < newest) outOfOrder += 1;
    newest = Math.max(newest, point.ts);
  }
  // Array.prototype.sort is stable: among equal timestamps the input order stays, so the last is the latest given
  const sorted = history.slice().sort((a, b) => a.ts - b.ts);
  const points = sorted.filter((point, i) => (sorted[i + 1] as T | undefined)?.ts !== point.ts);
  return { points, outOfOrder, duplicatesDropped: sorted.length - points.length };
}

function profile(points: readonly PointInput[], scale: number, spreadMode: 'slot' | 'hour' | 'uniform' = 'slot'): { center: number[]; spread: number[] } {
  const bySlot: number[][] = Array.from({ length: hoursPerWeek }, () => []);
  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  const all: number[] = [];
  for (const point of points) {
    const y = transform({ scale }, point.rate);
    bySlot[hourOfWeek(point.ts)]?.push(y);
    byHour[hourOfDay(point.ts)]?.push(y);
    all.push(y);
  }
  const allCenter = median(all);
  const allSpread = robustSpread(all, allCenter) || 1;
  const hourStats = byHour.map((values) => {
    if (values.length < 3) return { center: allCenter, spread: allSpread };
    const center = median(values);
    return { center, spread: robustSpread(values, center) };
  });
  const prior = 3;
  const center: number[] = [];
  const spread: number[] = [];
  bySlot.forEach((values, slot) => {
    const hour = hourStats[slot % 24] as { center: number; spread: number };
    const n = values.length;
    const slotCenter = n > 0 ? median(values) : hour.center;
    const slotSpread = n > 1 ? robustSpread(values, slotCenter) : hour.spread;
    center.push((n * slotCenter + prior * hour.center) / (n + prior));
    spread.push((n * slotSpread + prior * hour.spread) / (n + prior));
  });
  const floor = Math.max(0.05, 0.25 * median(spread));
  if (spreadMode === 'uniform') return { center, spread: spread.map(() => Math.max(median(spread), floor)) };
  if (spreadMode === 'hour') return { center, spread: spread.map((_, slot) => Math.max((hourStats[slot % 24] as { spread: number }).spread, floor)) };
  return { center, spread: spread.map((value) => Math.max(value, floor)) };
}

function baseLoad(points: readonly PointInput[], hours: number, days: number): AlwaysOnBase | null {
  const windowMs = hours * hourMs;
  const minima: number[] = [];
  if (points.length === 0) return null;
  const first = (points[0] as PointInput).ts;
  const last = (points[points.length - 1] as PointInput).ts;
  let from = 0;
  for (let end = Math.ceil((first + windowMs) / dayMs) * dayMs; end <= last + 1; end += dayMs) {
    while (from < points.length && (points[from] as PointInput).ts < end - windowMs) from += 1;
    let min = Infinity;
    for (let i = from; i < points.length && (points[i] as PointInput).ts < end; i += 1) min = Math.min(min, (points[i] as PointInput).rate);
    if (Number.isFinite(min)) minima.push(min);
  }
  if (minima.length < 7) return null;
  return alwaysOnBase(minima.slice(-days));
}

/** Threshold with chance `rate` per reading under an exponential tail fitted above the 90th percentile. */
export function tailThreshold(values: readonly number[], rate: number): number {
  if (values.length < 20) return quantile(values, 1);
  const u = quantile(values, 0.9);
  const excess = values.filter((value) => value > u).map((value) => value - u);
  const beta = excess.length > 0 ? excess.reduce((a, b) => a + b, 0) / excess.length : 0;
  return u + beta * Math.log(0.1 / Math.min(rate, 0.1));
}

function residuals(params: HomeModelParams, points: readonly PointInput[]): number[] {
  return points.map((point) => (transform(params, point.rate) - (params.center[hourOfWeek(point.ts)] as number)) / (params.spread[hourOfWeek(point.ts)] as number));
}

/** Fewer usable points than this cannot give a profile and its calibration. */
export const minTrainingPoints = 48;

export async function fitHomeModel(
  history: readonly PointInput[],
  options: FitOptions,
): Promise<{ params: HomeModelParams; report: FitReport }> {
  const { points, outOfOrder, duplicatesDropped } = orderedHistory(history.filter((point) => Number.isFinite(point.rate)));
  if (points.length < minTrainingPoints) throw new Error(`too little history to train: ${points.length} points (need at least ${minTrainingPoints})`);
  const last = (points[points.length - 1] as PointInput).ts;
  const historyDays = options.historyDays ?? 365;
  const profileDays = options.profileDays ?? 56;
  const usable = points.filter((point) => point.ts > last - historyDays * dayMs);
  const recent = usable.filter((point) => point.ts > last - profileDays * dayMs);
  const holdStart = recent[Math.floor(recent.length * (1 - (options.holdBack ?? 0.25)))]?.ts ?? last;
  const calibration: Calibration = { ...defaultCalibration, ...options.calibration };
  const window = options.window ?? 24;
  const progress = options.onProgress ?? (() => undefined);

  const absRates = recent.map((point) => Math.abs(point.rate));
  let scale = quantile(absRates, 0.2) * (options.scaleFactor ?? 1);
  if (!(scale > 0)) scale = Math.max(quantile(absRates, 0.5), 1e-6);

  const fitPart = recent.filter((point) => point.ts < holdStart);
  const driftHours = options.driftHours ?? 48;
  const base = baseLoad(recent, driftHours, options.baseDays ?? 21);
  const params: HomeModelParams = {
    type: 'home',
    readingKind: options.readingKind,
    unit: options.unit,
    scale,
    twoSided: options.twoSided ?? false,
    intervalS: options.intervalS,
    ...profile(fitPart.length >= 24 ? fitPart : recent, scale, options.spreadMode ?? 'uniform'),
    base,
    thresholds: { point: 1, context: 1, persist: 1, drift: 1, cusum: 1 },
    agree: options.agree ?? false,
    persistHours: 8,
    driftHours,
    levelDays: options.levelDays ?? 2,
    persistCap: 4,
    ...(options.cusumK === null ? {} : { cusumK: options.cusumK ?? 0.5, cusumRestart: options.cusumRestart ?? true }),
    driftRebase: options.driftRebase ?? true,
    window,
    autoencoder: null,
  };
  progress(0.05, 'profile');

  let loss: number | null = null;
  let backend: string | null = null;
  if (!options.withoutAutoencoder) {
    const aePoints = usable.filter((point) => point.ts < holdStart);
    const r = residuals(params, aePoints);
    const inputs: Float32Array[] = [];
    const targets: Float32Array[] = [];
    const maxWindows = options.maxWindows ?? 6000;
    const stride = Math.max(1, Math.floor((r.length - window) / maxWindows));
    for (let end = r.length; end >= window && inputs.length < maxWindows; end -= stride) {
      const slice = r.slice(end - window, end);
      inputs.push(contextInput(slice, (aePoints[end - 1] as PointInput).ts, window));
      targets.push(contextTarget(slice, window));
    }
    if (inputs.length >= 2 * window) {
      const epochs = options.epochs ?? (options.autoencoder ? 6 : 15);
      const trained = await trainAutoencoder(
        inputs,
        targets,
        contextAutoencoderShape(window),
        {
          seed: options.seed ?? 42,
          epochs,
          batchSize: 64,
          learningRate: 0.005,
          logger: options.logger,
          initial: options.autoencoder ?? undefined,
          onEpoch: (epoch) => progress(0.05 + (0.85 * epoch) / epochs, 'autoencoder'),
        },
      );
      trained.model.dispose();
      params.autoencoder = trained.layers;
      loss = trained.loss;
      backend = trained.backend;
    }
  }

  // The final profile uses the whole recent window; thresholds sit just above the highest
  // (0.999 quantile) each component reached over that window, so what this home has done in
  // the last weeks does not alert, and something beyond it does.
  Object.assign(params, profile(recent, scale, options.spreadMode ?? 'uniform'));
  const scorer = new HomeScorer(params);
  const held: Components[] = [];
  const heldHours: number[] = [];
  const heldTs: number[] = [];
  for (const point of recent) {
    const { components } = scorer.step(point);
    if (point.ts >= (recent[0] as PointInput).ts + dayMs) {
      held.push(components);
      heldTs.push(point.ts);
      heldHours.push(hourOfDay(point.ts));
    }
  }
  for (const name of componentNames) {
    const fixed = calibration.fixed[name];
    if (fixed !== undefined) {
      params.thresholds[name] = fixed;
      continue;
    }
    // The autoencoder saw everything before holdStart, so its errors there are optimistic:
    // its threshold comes from the held-back part only.
    const source = name === 'context' ? held.filter((_, index) => (heldTs[index] as number) >= holdStart) : held;
    const values = source.map((components) => components[name]);
    const q = values.length === 0 ? 0 : calibration.mode === 'tail' ? tailThreshold(values, calibration.tailRate) : calibration.margin[name] * quantile(values, calibration.level);
    params.thresholds[name] = Math.max(calibration.floor[name], q);
  }
  params.hourThresholds = {};
  for (const name of calibration.perHour) {
    const byHour: number[][] = Array.from({ length: 24 }, () => []);
    held.forEach((components, index) => {
      const hour = heldHours[index] as number;
      for (const offset of [23, 0, 1]) byHour[(hour + offset) % 24]?.push(components[name]);
    });
    params.hourThresholds[name] = byHour.map((values) =>
      values.length >= 10
        ? Math.max(calibration.floor[name], calibration.mode === 'tail' ? tailThreshold(values, calibration.tailRate) : calibration.hourMargin * quantile(values, calibration.hourLevel))
        : params.thresholds[name],
    );
  }
  const thresholdOf = (name: ComponentName, index: number) => params.hourThresholds?.[name]?.[heldHours[index] as number] ?? params.thresholds[name];
  const above = held.filter((components, index) => componentNames.some((name) => components[name] > thresholdOf(name, index))).length;
  progress(1, 'done');
  return {
    params,
    report: {
      points: recent.length,
      from: (recent[0] as PointInput).ts,
      to: last,
      loss,
      backend,
      heldBack: held.length,
      heldBackAboveThreshold: held.length > 0 ? above / held.length : 0,
      outOfOrder,
      duplicatesDropped,
    },
  };
}
