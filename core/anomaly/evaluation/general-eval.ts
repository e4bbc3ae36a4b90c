/**
 * `npm run eval -- --general`: the general detector and a windowed Gaussian on labelled public
 * streams (test/data/general/<source>/*.csv: ts,value,label; also .csv.gz and .csv.br, the same
 * text compressed), each scored by general-windows. A source whose folder holds a file named
 * HELD-OUT was never used to tune the detector: it is reported apart from the tuned-on ones.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { defaultTuning, GeneralCore, type GeneralTuning } from '../general/general-core';
import { normalisedScore, scoreWindows, type WindowScore } from './general-windows';

export interface LabelledSeries {
  source: string;
  name: string;
  ts: number[];
  values: number[];
  labels: number[];
  /** The source was never used to tune the detector (its folder holds a HELD-OUT file). */
  heldOut?: boolean;
}

/** The file in a source folder that marks the source as held out. */
export const heldOutMarker = 'HELD-OUT';

/** A detector on one series: a fresh instance per series, a score per row (> 1 = alert). */
export interface GeneralEvalDetector {
  name: string;
  run(series: LabelledSeries): number[];
}

export function parseLabelledCsv(text: string, source: string, name: string): LabelledSeries {
  const lines = text.trim().split(/\r?\n/);
  const header = (lines.shift() ?? '').split(',').map((cell) => cell.trim());
  const [tsAt, valueAt, labelAt] = ['ts', 'value', 'label'].map((column) => header.indexOf(column));
  if (tsAt === undefined || valueAt === undefined || labelAt === undefined || tsAt < 0 || valueAt < 0 || labelAt < 0) {
    throw new Error(`${source}/${name}: needs columns ts,value,label (has ${header.join(',')})`);
  }
  const series: LabelledSeries = { source, name, ts: [], values: [], labels: [] };
  for (const [row, line] of lines.entries()) {
    const cells = line.split(',');
    const ts = Number(cells[tsAt]);
    const value = Number(cells[valueAt]);
    if (!Number.isFinite(ts) || !Number.isFinite(value)) throw new Error(`${source}/${name}: row ${row + 2} is not numbers: ${line}`);
    series.ts.push(ts);
    series.values.push(value);
    series.labels.push(Number(cells[labelAt]) === 1 ? 1 : 0);
  }
  return series;
}

const csvFile = /\.csv(\.gz|\.br)?$/;

function readCsvText(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith('.gz')) return gunzipSync(bytes).toString('utf8');
  if (path.endsWith('.br')) return brotliDecompressSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

/** Every source folder's CSV files under `dir` (one level of folders: the sources). */
export function loadLabelledSources(dir: string): LabelledSeries[] {
  const all: LabelledSeries[] = [];
  for (const source of readdirSync(dir).sort()) {
    const folder = join(dir, source);
    if (!statSync(folder).isDirectory()) continue;
    const heldOut = existsSync(join(folder, heldOutMarker));
    for (const file of readdirSync(folder).filter((name) => csvFile.test(name)).sort()) {
      const series = parseLabelledCsv(readCsvText(join(folder, file)), source, file.replace(csvFile, ''));
      if (heldOut) series.heldOut = true;
      all.push(series);
    }
  }
  return all;
}

export function generalProductDetector(tuning: Partial<GeneralTuning> = {}): GeneralEvalDetector {
  return {
    name: 'product (general: forecast + likelihood + spike + shift + stuck)',
    run(series) {
      const core = new GeneralCore(undefined, { ...defaultTuning, ...tuning });
      return series.values.map((value, index) => core.step(series.ts[index] as number, value).score);
    },
  };
}

/** Rolling mean and standard deviation of the last `window` readings; alert beyond `sigmas`, both ways. */
export function windowedGaussianDetector(window = 1000, sigmas = 3): GeneralEvalDetector {
  return {
    name: `windowed Gaussian (${window} readings, ${sigmas} sigma)`,
    run(series) {
      const values = series.values;
      const scores: number[] = [];
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < values.length; i += 1) {
        const value = values[i] as number;
        const count = Math.min(i, window);
        let score = 0;
        if (count >= 48) {
          const mean = sum / count;
          const sd = Math.sqrt(Math.max(sumSq / count - mean * mean, 1e-12));
          score = Math.abs(value - mean) / (sigmas * sd);
        }
        scores.push(score);
        sum += value;
        sumSq += value * value;
        if (i >= window) {
          const old = values[i - window] as number;
          sum -= old;
          sumSq -= old * old;
        }
      }
      return scores;
    },
  };
}

export interface GeneralEvalRow {
  source: string;
  /** A held-out source (never tuned on), or the mean over such sources. */
  heldOut: boolean;
  detector: string;
  files: number;
  score: number;
  windows: number;
  detected: number;
  falseAlarms: number;
}

export const tunedOverall = 'overall, tuned on (mean of sources)';
export const heldOutOverall = 'overall, held out (mean of sources)';

/**
 * Per source and detector, then the mean over the tuned-on sources; the held-out sources (never
 * tuned on) apart, with their own mean when there is more than one. The same scorer for all.
 */
export function evaluateGeneral(series: readonly LabelledSeries[], detectors: readonly GeneralEvalDetector[]): GeneralEvalRow[] {
  const rows: GeneralEvalRow[] = [];
  const sources = [...new Set(series.map((one) => one.source))];
  const heldOut = new Set(series.filter((one) => one.heldOut === true).map((one) => one.source));
  const groups = [
    { heldOut: false, sources: sources.filter((source) => !heldOut.has(source)), overall: tunedOverall },
    { heldOut: true, sources: sources.filter((source) => heldOut.has(source)), overall: heldOutOverall },
  ];
  for (const group of groups) {
    if (group.sources.length === 0) continue;
    for (const detector of detectors) {
      const all: WindowScore[] = [];
      const perSource: number[] = [];
      for (const source of group.sources) {
        const parts = series.filter((one) => one.source === source).map((one) => scoreWindows(detector.run(one), one.labels));
        all.push(...parts);
        const row = summary(source, group.heldOut, detector.name, parts);
        perSource.push(row.score);
        rows.push(row);
      }
      if (group.heldOut && group.sources.length < 2) continue;
      const overall = summary(group.overall, group.heldOut, detector.name, all);
      overall.score = perSource.reduce((sum, value) => sum + value, 0) / Math.max(1, perSource.length);
      rows.push(overall);
    }
  }
  return rows;
}

function summary(source: string, heldOut: boolean, detector: string, parts: readonly WindowScore[]): GeneralEvalRow {
  return {
    source,
    heldOut,
    detector,
    files: parts.length,
    score: normalisedScore(parts),
    windows: parts.reduce((sum, part) => sum + part.windows, 0),
    detected: parts.reduce((sum, part) => sum + part.detected, 0),
    falseAlarms: parts.reduce((sum, part) => sum + part.falseAlarms, 0),
  };
}

/** One table: the tuned-on sources and their mean, then the held-out ones (column `held out`). */
export function formatGeneralEval(rows: readonly GeneralEvalRow[]): string {
  const lines = ['| source | held out | detector | files | score (0 = silent, 100 = perfect) | windows detected | false alarms |', '|---|---|---|---|---|---|---|'];
  const ordered = [...rows.filter((row) => !row.heldOut), ...rows.filter((row) => row.heldOut)];
  const sources = [...new Set(ordered.map((row) => row.source))];
  for (const source of sources) {
    for (const row of ordered.filter((one) => one.source === source)) {
      const held = row.heldOut ? 'yes (never tuned on)' : 'no';
      lines.push(`| ${row.source} | ${held} | ${row.detector} | ${row.files} | ${row.score.toFixed(1)} | ${row.detected}/${row.windows} | ${row.falseAlarms} |`);
    }
  }
  return lines.join('\n');
}
