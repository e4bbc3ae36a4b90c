/**
 * What a series' model has learnt, for the anomaly node's dialog: the expected band per
 * calendar slot (a general series': along its recent readings), the recent scored readings, and
 * how many alerts each sensitivity would have raised over them. Pure functions over a model and a
 * bounded ring of recent readings.
 */
import type { Reading, ScoredReading } from '../../reading';
import { hourMs, hourOfDay, unitFactor } from '../../units';
import { hourOfWeek, hoursPerWeek } from '../calendar';
import type { StoredModel } from '../model/model-dir';
import { untransform } from '../model/home-model';
import { fromRate } from './rate';
import { sensitivities, sensitivityThreshold, type Sensitivity } from './sensitivity';

/** Scored readings kept per series for the dialog: two weeks of hourly readings. */
export const recentCapacity = 336;
/** Anomalous readings closer than this count as one alert (as the series detector groups them). */
const alertGapMs = 3 * hourMs;

export interface RecentReading {
  ts: number;
  value: number;
  expected: number;
  score: number;
  /** Its slot in the model's band: local hour of week, and hour of day. */
  hourOfWeek: number;
  hour: number;
}

export interface BandRow {
  /** Hour of week (0 = Sunday 00:00, local time), hour of day, or a recent reading's ts. */
  slot: number;
  low: number;
  expected: number;
  high: number;
}

export interface ExpectedBand {
  /** 'reading-time': one row per recent reading, for a model that is not by calendar slot. */
  slots: 'hour-of-week' | 'hour-of-day' | 'reading-time';
  /** The unit of the series' readings (values per reading interval). */
  unit: string;
  rows: BandRow[];
}

export interface SeriesDescription {
  entityId: string;
  /** Whether the series has a model of its own (trained or mapped) rather than the cold start. */
  hasModel: boolean;
  modelId: string | null;
  band: ExpectedBand | null;
  recent: RecentReading[];
  /**
   * Epoch ms of the last training (or of the loaded model's creation); for a general series,
   * which learns from every reading, its newest reading's ts. Null when never trained.
   */
  lastTrained: number | null;
  sensitivity: Sensitivity;
  learning: { have: number; need: number } | null;
}

export type SensitivityPreview = Record<Sensitivity, number> & { appliesToModel: boolean; readings: number };

/** A fixed-size ring of the newest scored readings of one series. */
export class RecentRing {
  private readonly items: RecentReading[] = [];
  private newest: Reading | null = null;

  constructor(private readonly capacity = recentCapacity) {}

  push(reading: Reading, scored: ScoredReading): void {
    if (scored.late) return;
    this.items.push({ ts: reading.ts, value: reading.value, expected: scored.expected, score: scored.score, hourOfWeek: hourOfWeek(reading.ts), hour: hourOfDay(reading.ts) });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    this.newest = reading;
  }

  /** A copy, oldest first. */
  list(): RecentReading[] {
    return this.items.slice();
  }

  /** The newest reading: its unit and interval express the band the way readings are shown. */
  sample(): Reading | null {
    return this.newest;
  }
}

/** The model's expected band in the unit of `sample` (the series' newest reading). */
export function expectedBand(model: StoredModel, sample: Reading): ExpectedBand | null {
  if (model.type === 'home') {
    const rows: BandRow[] = [];
    for (let slot = 0; slot < hoursPerWeek; slot += 1) {
      const center = model.center[slot] ?? 0;
      const spread = model.spread[slot] ?? 0;
      const value = (y: number) => fromRate(untransform(model, y), sample, model.intervalS);
      rows.push({ slot, low: Math.max(model.twoSided ? -Infinity : 0, value(center - spread)), expected: value(center), high: value(center + spread) });
    }
    return { slots: 'hour-of-week', unit: sample.unit, rows };
  }
  if (model.type === 'hour-profile') {
    const toTable = unitFactor('energy', sample.unit) / unitFactor('energy', model.unit);
    const rows = model.hours
      .map((row) => ({ slot: row.hour, low: row.min / toTable, expected: (row.min + row.max) / 2 / toTable, high: row.max / toTable }))
      .sort((a, b) => a.slot - b.slot);
    return { slots: 'hour-of-day', unit: sample.unit, rows };
  }
  return null;
}

/**
 * A general series' band: the detector's forecast of each recent reading ± `spread` (one
 * standard deviation of its errors now, in the readings' unit). Its forecast follows the
 * series' recent level and shape, so it is shown along the readings, not by calendar slot.
 */
export function generalBand(recent: readonly RecentReading[], spread: number, unit: string): ExpectedBand {
  const rows = recent.map((reading) => ({ slot: reading.ts, low: reading.expected - spread, expected: reading.expected, high: reading.expected + spread }));
  return { slots: 'reading-time', unit, rows };
}

/**
 * A replay of the recent scores under each sensitivity: the scores were divided by the current
 * sensitivity's threshold, so under another they scale by the ratio of thresholds. Only a
 * learnt home model depends on the sensitivity; other models' counts are the same for all.
 */
export function previewSensitivities(recent: readonly RecentReading[], current: Sensitivity, appliesToModel: boolean): SensitivityPreview {
  const counts = { high: 0, normal: 0, low: 0 } as Record<Sensitivity, number>;
  for (const sensitivity of sensitivities) {
    const factor = appliesToModel ? sensitivityThreshold[current] / sensitivityThreshold[sensitivity] : 1;
    counts[sensitivity] = countAlerts(recent, factor);
  }
  return { ...counts, appliesToModel, readings: recent.length };
}

function countAlerts(recent: readonly RecentReading[], factor: number): number {
  let alerts = 0;
  let lastAnomalous: number | null = null;
  for (const reading of recent) {
    if (reading.score * factor <= 1) continue;
    if (lastAnomalous === null || reading.ts - lastAnomalous > alertGapMs) alerts += 1;
    lastAnomalous = reading.ts;
  }
  return alerts;
}
