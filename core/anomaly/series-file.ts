/**
 * Reads series files: CSV `timestamp,value` (or named columns) and the real data sets as
 * published (UCI minute-kW sums, London half-hourly kWh with spaces, BGE hourly kWh).
 */
import { StreamSmartsError } from '../errors';

export interface SeriesRow {
  ts: number;
  value: number;
  /** A data artefact (e.g. an outage's zeros), not consumption. */
  artefact?: 'outage';
}

/** A series file that cannot be read as timestamp,value rows; retrying will not help. */
export class SeriesFileError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

const localTime = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Epoch ms from ISO-like text (local time when no zone), epoch seconds or epoch ms. */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim().replace(/^"|"$/g, '');
  const local = localTime.exec(trimmed);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)).getTime();
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return n < 1e11 ? n * 1000 : n;
  }
  const parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed)) throw new SeriesFileError(`'${text}' is not a timestamp`);
  return parsed;
}

export interface ColumnChoice {
  timeCol?: string;
  valueCol?: string;
}

/** Known data sets: which columns, and the factor to kWh per interval. */
const presets: { valueCol: string; timeCol: string; toKwh: number; zerosAreOutages: boolean }[] = [
  { valueCol: 'Global_active_power', timeCol: 'datetime', toKwh: 1 / 60, zerosAreOutages: true },
  { valueCol: 'energy(kWh/hh)', timeCol: 'tstp', toKwh: 1, zerosAreOutages: false },
  { valueCol: 'USAGE', timeCol: 'timestamp', toKwh: 1, zerosAreOutages: false },
];

export interface ParsedSeries {
  rows: SeriesRow[];
  /** Set when a known data set was recognised (values converted to kWh per interval). */
  unit: string | null;
  intervalS: number;
}

export function medianInterval(rows: readonly SeriesRow[]): number {
  const steps: number[] = [];
  for (let i = 1; i < rows.length && steps.length < 2000; i += 1) {
    const step = (rows[i] as SeriesRow).ts - (rows[i - 1] as SeriesRow).ts;
    if (step > 0) steps.push(step);
  }
  steps.sort((a, b) => a - b);
  return steps.length > 0 ? (steps[Math.floor(steps.length / 2)] as number) / 1000 : 3600;
}

export function splitCsvLine(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
}

/** Parses a whole CSV text. Rows must be in time order for streaming use; this sorts nothing. */
export function parseSeriesCsv(text: string, choice: ColumnChoice = {}): ParsedSeries {
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0) throw new SeriesFileError('the file is empty');
  const first = splitCsvLine(lines[0] as string);
  const hasHeader = first.length > 1 && Number.isNaN(Number(first[first.length - 1])) && !/^\d/.test(first[0] ?? '');
  const header = hasHeader ? first : [];
  const preset = presets.find((candidate) => header.includes(candidate.valueCol) && !choice.valueCol);
  const column = (name: string | undefined, fallback: number, label: string): number => {
    if (name === undefined) return fallback;
    const index = header.indexOf(name);
    if (index < 0) throw new SeriesFileError(`no column '${name}' for the ${label} (columns: ${header.join(', ') || 'none'})`);
    return index;
  };
  const timeIndex = column(choice.timeCol ?? preset?.timeCol, 0, 'time');
  const valueIndex = column(choice.valueCol ?? preset?.valueCol, 1, 'value');
  const rows: SeriesRow[] = [];
  const body = hasHeader ? lines.slice(1) : lines;
  body.forEach((line, index) => {
    const cells = splitCsvLine(line);
    const lineNo = index + (hasHeader ? 2 : 1);
    const timeText = cells[timeIndex];
    const valueText = cells[valueIndex];
    if (timeText === undefined || valueText === undefined) throw new SeriesFileError(`line ${lineNo}: expected at least ${Math.max(timeIndex, valueIndex) + 1} columns`);
    let ts: number;
    try {
      ts = parseTimestamp(timeText);
    } catch (error) {
      throw new SeriesFileError(`line ${lineNo}: ${(error as Error).message}`);
    }
    if (valueText === '') return;
    const value = Number(valueText);
    if (!Number.isFinite(value)) throw new SeriesFileError(`line ${lineNo}: value '${valueText}' is not a number`);
    const row: SeriesRow = { ts, value: preset ? value * preset.toKwh : value };
    if (preset?.zerosAreOutages && value === 0) row.artefact = 'outage';
    rows.push(row);
  });
  return { rows, unit: preset ? 'kWh' : null, intervalS: medianInterval(rows) };
}

/** JSON lines of readings (`{ts, value}` or `{timestamp, value}`) or CSV, by the first character. */
export function parseSeriesText(text: string, choice: ColumnChoice = {}): ParsedSeries {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return parseSeriesCsv(text, choice);
  const rows: SeriesRow[] = [];
  let unit: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new SeriesFileError(`line ${index + 1}: not valid JSON`);
    }
    const timeValue = record[choice.timeCol ?? ('ts' in record ? 'ts' : 'timestamp')];
    const value = record[choice.valueCol ?? 'value'];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new SeriesFileError(`line ${index + 1}: 'value' must be a finite number`);
    const ts = typeof timeValue === 'number' ? timeValue : typeof timeValue === 'string' ? parseTimestamp(timeValue) : Number.NaN;
    if (!Number.isFinite(ts)) throw new SeriesFileError(`line ${index + 1}: no timestamp ('ts' or 'timestamp')`);
    if (typeof record.unit === 'string') unit = record.unit;
    rows.push({ ts, value });
  });
  if (rows.length === 0) throw new SeriesFileError('the file has no readings');
  return { rows, unit, intervalS: medianInterval(rows) };
}
