/**
 * The product's per-series model ("home"): a robust hour-of-week profile on an asinh scale,
 * a masked dense autoencoder over the recent residuals (its reconstruction of the current,
 * hidden interval is a context forecast), an average over the last hours for persistent excess and a base-load drift
 * detector. Each component is calibrated on held-back history to 1 at its threshold; the
 * score is the largest, so `score > 1` means anomalous.
 */
import type { ReadingKind } from '../../reading';
import { dayMs, hourMs, hourOfDay } from '../../units';
import { hourCycle, hourOfWeek, hoursPerWeek, isWeekend } from '../calendar';
import { forward, type DenseLayer } from './dense';
import { finiteOr, finiteScore } from './score';
import { median, robustSpread } from '../stats';

export const componentNames = ['point', 'context', 'persist', 'drift', 'cusum'] as const;
export type ComponentName = (typeof componentNames)[number];
export type Components = Record<ComponentName, number>;

export interface HomeModelParams {
  type: 'home';
  readingKind: ReadingKind;
  /** Canonical unit of the rates (per hour for cumulative kinds). */
  unit: string;
  /** Rates are compared as asinh(rate / scale). */
  scale: number;
  /** Alert on unusually low values too (generic series); energy-like series alert on excess only. */
  twoSided: boolean;
  intervalS: number;
  /** Per hour-of-week slot, on the asinh scale. */
  center: number[];
  spread: number[];
  /** Hours over which the always-on load is measured (the minimum rate in that window). */
  driftHours: number;
  /** Usual minimum over `driftHours` (the always-on load), in rate units. */
  base: AlwaysOnBase | null;
  thresholds: Components;
  /** Per hour of day thresholds for the components that depend on the time of day. */
  hourThresholds?: Partial<Record<ComponentName, number[]>>;
  /** Time constant (days) of the slow residual level the point and persistence components discount. */
  levelDays: number;
  /** The persistence component averages the residual over this many hours. */
  persistHours: number;
  /** Residuals are capped at this in the average, so one spike cannot make a persistent excess. */
  persistCap: number;
  /**
   * CUSUM of the residual's excess (beyond the slow level) over this allowance, per hour of data:
   * a long, moderate excess (a heater, an appliance left on overnight) adds up. Absent: off.
   */
  cusumK?: number;
  /** Restart the CUSUM once it has alarmed, so a lasting excess alerts once and the next one shows. */
  cusumRestart?: boolean;
  /** Once the always-on load alarms, take its new level as the usual one: a lasting rise alerts once. */
  driftRebase?: boolean;
  /** Readings of context the autoencoder sees. */
  window: number;
  autoencoder: DenseLayer[] | null;
  /** Score a single interval by the lesser of its point and context ratios (both must agree). */
  agree?: boolean;
}

export interface AlwaysOnBase {
  level: number;
  spread: number;
  /**
   * The daily minima the level and spread come from (oldest first). When present the scorer
   * keeps adding one a day, so the usual always-on load follows the home between retrains.
   */
  minima?: number[];
}

/** Level and spread of daily always-on minima: their median, and a robust spread of at least 3 %. */
export function alwaysOnBase(minima: readonly number[]): AlwaysOnBase {
  const level = median(minima);
  return { level, spread: Math.max(robustSpread(minima, level), 0.03 * Math.abs(level), 1e-9), minima: [...minima] };
}

export interface PointInput {
  ts: number;
  rate: number;
}

export interface HomeScore {
  score: number;
  components: Components;
  /** The component that set the score. */
  reason: ComponentName;
  /** Expected rate (context forecast when available, else the hour-of-week level). */
  expectedRate: number;
  residual: number;
  /**
   * The score without the always-on drift: readings above 1 here are unusual use and stay out of
   * training; a raised always-on load alone does not (it lasts days and would starve training).
   */
  usageScore: number;
  /** The always-on load now (minimum over the drift window) and its usual level, once measured. */
  alwaysOn: { rate: number; usual: number } | null;
}

const residualClip = 8;
const residualScale = 4;

export function transform(params: Pick<HomeModelParams, 'scale'>, rate: number): number {
  return Math.asinh(rate / params.scale);
}

export function untransform(params: Pick<HomeModelParams, 'scale'>, y: number): number {
  return Math.sinh(y) * params.scale;
}

export function residualOf(params: HomeModelParams, point: PointInput): number {
  const slot = hourOfWeek(point.ts);
  const y = transform(params, point.rate);
  return (y - (params.center[slot] as number)) / (params.spread[slot] as number);
}

/** Autoencoder input: the window's residuals (current one hidden) and the time of day/week. */
export function contextInput(residuals: readonly number[], ts: number, window: number): Float32Array {
  const input = new Float32Array(window + 3);
  const offset = window - residuals.length;
  for (let i = 0; i < residuals.length - 1; i += 1) {
    const r = Math.max(-residualClip, Math.min(residualClip, residuals[i] as number));
    input[offset + i] = r / residualScale;
  }
  const [sin, cos] = hourCycle(ts);
  input[window] = sin;
  input[window + 1] = cos;
  input[window + 2] = isWeekend(ts) ? 1 : 0;
  return input;
}

export function contextTarget(residuals: readonly number[], window: number): Float32Array {
  const target = new Float32Array(window);
  const offset = window - residuals.length;
  residuals.forEach((r, i) => (target[offset + i] = Math.max(-residualClip, Math.min(residualClip, r)) / residualScale));
  return target;
}

/** What a HomeScorer has learnt since it was built from its params (plain data, JSON-safe). */
export interface HomeScorerState {
  residuals: number[];
  recent: PointInput[];
  level: number;
  levelTs: number | null;
  recentResiduals: { ts: number; r: number }[];
  cusum: number;
  cusumTs: number | null;
  base: AlwaysOnBase | null;
  pendingMinima: { ts: number; min: number }[];
  lastMinimumTs: number | null;
}

/** Streaming scorer: holds the few intervals of state the components need. Never looks ahead. */
export class HomeScorer {
  private residuals: number[] = [];
  private recent: PointInput[] = [];
  /** Slow level of the residuals (a wetter week, a holiday), so the components look at what is new. */
  private level = 0;
  private levelTs: number | null = null;
  private recentResiduals: { ts: number; r: number }[] = [];
  private cusum = 0;
  private cusumTs: number | null = null;
  private base: AlwaysOnBase | null;
  /** Daily samples of the always-on minimum, not yet old enough to join the base. */
  private pendingMinima: { ts: number; min: number }[] = [];
  private lastMinimumTs: number | null = null;

  /**
   * @param alertAt the score at which the caller alerts (its sensitivity): the CUSUM restarts
   *   there, so it can still reach a threshold above the model's own calibration.
   */
  constructor(
    readonly params: HomeModelParams,
    private readonly alertAt = 1,
  ) {
    if (params.center.length !== hoursPerWeek || params.spread.length !== hoursPerWeek) {
      throw new Error('home model profile must have 168 hour-of-week slots');
    }
    this.base = params.base;
  }

  /** A copy of the streaming state, for a checkpoint. */
  saveState(): HomeScorerState {
    return structuredClone({
      residuals: this.residuals,
      recent: this.recent,
      level: this.level,
      levelTs: this.levelTs,
      recentResiduals: this.recentResiduals,
      cusum: this.cusum,
      cusumTs: this.cusumTs,
      base: this.base,
      pendingMinima: this.pendingMinima,
      lastMinimumTs: this.lastMinimumTs,
    });
  }

  /** Continues from a checkpoint taken with saveState (on a scorer built from the same params). */
  restoreState(state: HomeScorerState): void {
    const copy = structuredClone(state);
    this.residuals = copy.residuals;
    this.recent = copy.recent;
    this.level = copy.level;
    this.levelTs = copy.levelTs;
    this.recentResiduals = copy.recentResiduals;
    this.cusum = copy.cusum;
    this.cusumTs = copy.cusumTs;
    this.base = copy.base;
    this.pendingMinima = copy.pendingMinima;
    this.lastMinimumTs = copy.lastMinimumTs;
  }

  /**
   * Samples the always-on minimum once a day; a sample joins the base once its whole window lies
   * in the past (so an ongoing rise is measured against the days before it), the oldest leaves.
   */
  private followBase(ts: number, min: number): void {
    const base = this.base;
    if (!base?.minima) return;
    if (this.lastMinimumTs === null || ts - this.lastMinimumTs >= dayMs) {
      this.pendingMinima.push({ ts, min });
      this.lastMinimumTs = ts;
    }
    const ripe = ts - this.params.driftHours * hourMs;
    if (this.pendingMinima.length === 0 || (this.pendingMinima[0] as { ts: number }).ts > ripe) return;
    const minima = [...base.minima];
    while (this.pendingMinima.length > 0 && (this.pendingMinima[0] as { ts: number }).ts <= ripe) minima.push((this.pendingMinima.shift() as { min: number }).min);
    this.base = alwaysOnBase(minima.slice(-base.minima.length));
  }

  /** Moves the usual always-on level (and the minima it comes from) to `level`, keeping its spread. */
  private rebase(level: number): void {
    const base = this.base;
    if (!base) return;
    const shift = level - base.level;
    this.base = base.minima ? alwaysOnBase(base.minima.map((value) => value + shift)) : { ...base, level };
  }

  /** Adds a past reading to the always-on window only (warming a new scorer without moving its other state). */
  primeAlwaysOn(point: PointInput): void {
    this.recent.push(point);
  }

  /** Raw (uncalibrated) components and the expected rate; updates the state. */
  step(point: PointInput): Omit<HomeScore, 'score' | 'reason' | 'usageScore'> {
    const p = this.params;
    const slot = hourOfWeek(point.ts);
    const center = p.center[slot] as number;
    const spread = p.spread[slot] as number;
    const raw = (transform(p, point.rate) - center) / spread;
    const r = raw - this.level;
    if (p.levelDays > 0 && this.levelTs !== null && point.ts > this.levelTs) {
      const alpha = 1 - Math.exp(-(point.ts - this.levelTs) / (p.levelDays * dayMs));
      this.level += alpha * Math.max(-2, Math.min(2, r));
    }
    this.levelTs = Math.max(this.levelTs ?? point.ts, point.ts);
    const signed = (value: number) => (p.twoSided ? Math.abs(value) : Math.max(0, value));

    this.residuals.push(raw);
    if (this.residuals.length > p.window) this.residuals.shift();
    let context = 0;
    let expectedY = center;
    if (p.autoencoder && this.residuals.length === p.window) {
      const out = forward(p.autoencoder, contextInput(this.residuals, point.ts, p.window));
      const forecast = (out[p.window - 1] as number) * residualScale;
      context = signed(Math.min(raw, residualClip) - forecast);
      expectedY = center + forecast * spread;
    }

    this.recentResiduals.push({ ts: point.ts, r: Math.max(-p.persistCap, Math.min(p.persistCap, r)) });
    const persistFrom = point.ts - p.persistHours * hourMs;
    while ((this.recentResiduals[0] as { ts: number }).ts <= persistFrom) this.recentResiduals.shift();
    let sum = 0;
    for (const entry of this.recentResiduals) sum += entry.r;
    const persist = signed(sum / Math.max(this.recentResiduals.length, 1)) * Math.min(1, this.recentResiduals.length / 4);

    let cusum = 0;
    if (p.cusumK !== undefined) {
      // increments weigh each reading by the hours it covers (up to 1), so half-hourly and hourly series agree
      const hours = this.cusumTs === null ? p.intervalS / 3600 : Math.min(1, Math.max(0, point.ts - this.cusumTs) / hourMs);
      const excess = Math.max(-p.persistCap, Math.min(p.persistCap, r));
      this.cusum = Math.max(0, this.cusum + hours * (excess - p.cusumK));
      this.cusumTs = Math.max(this.cusumTs ?? point.ts, point.ts);
      cusum = this.cusum;
    }

    let drift = 0;
    let alwaysOn: HomeScore['alwaysOn'] = null;
    this.recent.push(point);
    const driftMs = p.driftHours * hourMs;
    while (this.recent.length > 0 && (this.recent[0] as PointInput).ts <= point.ts - driftMs) this.recent.shift();
    const covered = point.ts - (this.recent[0] as PointInput).ts;
    if (this.base && covered >= 0.8 * driftMs) {
      let min = Infinity;
      for (const q of this.recent) min = Math.min(min, q.rate);
      this.followBase(point.ts, min);
      drift = signed((min - this.base.level) / this.base.spread);
      alwaysOn = { rate: min, usual: this.base.level };
    }
    return {
      components: { point: signed(r), context, persist, drift, cusum },
      expectedRate: untransform(p, expectedY),
      residual: r,
      alwaysOn,
    };
  }

  /**
   * Scores a late reading (older than the newest seen) against the hour-of-week profile alone,
   * without touching the sequential state (windows, CUSUM, always-on), which only moves forward.
   */
  scoreAlone(point: PointInput): HomeScore {
    const p = this.params;
    const slot = hourOfWeek(point.ts);
    const center = p.center[slot] as number;
    const r = (transform(p, point.rate) - center) / (p.spread[slot] as number) - this.level;
    const pointComponent = p.twoSided ? Math.abs(r) : Math.max(0, r);
    const components: Components = { point: pointComponent, context: 0, persist: 0, drift: 0, cusum: 0 };
    const threshold = p.hourThresholds?.point?.[hourOfDay(point.ts)] ?? p.thresholds.point;
    const score = threshold > 0 && Number.isFinite(threshold) ? finiteScore(pointComponent / threshold) : 0;
    return { score, components, reason: 'point', expectedRate: finiteOr(untransform(p, center), 0), residual: r, alwaysOn: null, usageScore: score };
  }

  score(point: PointInput): HomeScore {
    const { components, expectedRate, residual, alwaysOn } = this.step(point);
    let score = -Infinity;
    let usageScore = 0;
    let reason: ComponentName = 'point';
    const hour = hourOfDay(point.ts);
    const ratio = (name: ComponentName) => {
      const threshold = this.params.hourThresholds?.[name]?.[hour] ?? this.params.thresholds[name];
      return threshold > 0 && Number.isFinite(threshold) ? components[name] / threshold : Number.NaN;
    };
    for (const name of componentNames) {
      let value = ratio(name);
      if (Number.isNaN(value)) continue;
      if (this.params.agree && this.params.autoencoder) {
        // a single interval must be unusual both for its hour and for its context
        if (name === 'context') continue;
        if (name === 'point') value = Math.min(value, ratio('context'));
      }
      if (name !== 'drift') usageScore = Math.max(usageScore, value);
      if (value > score) {
        score = value;
        reason = name;
      }
    }
    if (this.params.cusumRestart && ratio('cusum') > this.alertAt) this.cusum = 0;
    if (this.params.driftRebase && alwaysOn && ratio('drift') > this.alertAt) this.rebase(alwaysOn.rate);
    return { score: finiteScore(Math.max(score, 0)), components, reason, expectedRate: finiteOr(expectedRate, 0), residual, alwaysOn, usageScore: finiteScore(usageScore) };
  }
}
