/**
 * `npm run eval -- --general`: the general detector and a windowed Gaussian on labelled public
 * streams (test/data/general/<source>/*.csv: ts,value,label), each scored by general-windows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTuning, GeneralCore, type GeneralTuning } from '../general/general-core';
import { normalisedScore, scoreWindows, type WindowScore } from './general-windows';

export interface LabelledSeries {
  source: string;
  name: string;
  ts: number[];
  values: number[];
  labels: number[];
}

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

/** Every source folder's CSV files under `dir` (one level of folders: the sources). */
export function loadLabelledSources(dir: string): LabelledSeries[] {
  const all: LabelledSeries[] = [];
  for (const source of readdirSync(dir).sort()) {
    const folder = join(dir, source);
    if (!statSync(folder).isDirectory()) continue;
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.csv')).sort()) {
      all.push(parseLabelledCsv(readFileSync(join(folder, file), 'utf8'), source, file.replace(/\.csv$/, '')));
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
  detector: string;
  files: number;
  score: number;
  windows: number;
  detected: number;
  falseAlarms: number;
}

export function evaluateGeneral(series: readonly LabelledSeries[], detectors: readonly GeneralEvalDetector[]): GeneralEvalRow[] {
  const rows: GeneralEvalRow[] = [];
  const sources = [...new Set(series.map((one) => one.source))];
  for (const detector of detectors) {
    const all: WindowScore[] = [];
    const perSource: number[] = [];
    for (const source of sources) {
      const parts = series.filter((one) => one.source === source).map((one) => scoreWindows(detector.run(one), one.labels));
      all.push(...parts);
      const row = summary(source, detector.name, parts);
      perSource.push(row.score);
      rows.push(row);
    }
    const overall = summary('overall (mean of sources)', detector.name, all);
    overall.score = perSource.reduce((sum, value) => sum + value, 0) / Math.max(1, perSource.length);
    rows.push(overall);
  }
  return rows;
}

function summary(source: string, detector: string, parts: readonly WindowScore[]): GeneralEvalRow {
  return {
    source,
    detector,
    files: parts.length,
    score: normalisedScore(parts),
    windows: parts.reduce((sum, part) => sum + part.windows, 0),
    detected: parts.reduce((sum, part) => sum + part.detected, 0),
    falseAlarms: parts.reduce((sum, part) => sum + part.falseAlarms, 0),
  };
}

export function formatGeneralEval(rows: readonly GeneralEvalRow[]): string {
  const lines = ['| source | detector | files | score (0 = silent, 100 = perfect) | windows detected | false alarms |', '|---|---|---|---|---|---|'];
  const sources = [...new Set(rows.map((row) => row.source))];
  for (const source of sources) {
    for (const row of rows.filter((one) => one.source === source)) {
      lines.push(`| ${row.source} | ${row.detector} | ${row.files} | ${row.score.toFixed(1)} | ${row.detected}/${row.windows} | ${row.falseAlarms} |`);
    }
  }
  return lines.join('\n');
}
