import type { ReadingKind } from '../reading';
import { meterUnitsByDimension, wattMsPerKwh } from '../units';
import type { BucketMode, ClosedInterval } from './bucketer';
import { createBucketer } from './bucketer-factory';
import type { EntityState } from './entity-stream';
import { intervalStartsBetween } from './interval';

/** The part of the client the recorder queries need. */
export interface CommandSender {
  command<T>(message: { type: string; [key: string]: unknown }): Promise<T>;
}

export interface StatisticsRow {
  start: number;
  end: number;
  change?: number | null;
  mean?: number | null;
  sum?: number | null;
  state?: number | null;
}

type StatisticsPeriod = '5minute' | 'hour';

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Long-term (hourly) or short-term (5-minute) statistics of one entity, in the units the meter emits:
 * the mean of rates and measurements, the change of meters.
 */
export async function fetchStatistics(
  sender: CommandSender,
  entityId: string,
  kind: ReadingKind,
  from: number,
  to: number,
  period: StatisticsPeriod,
  mode: BucketMode = kind === 'power' ? 'rate' : 'cumulative',
): Promise<StatisticsRow[]> {
  const result = await sender.command<Record<string, StatisticsRow[]>>({
    type: 'recorder/statistics_during_period',
    start_time: isoTime(from),
    end_time: isoTime(to),
    statistic_ids: [entityId],
    period,
    types: mode === 'cumulative' ? ['change', 'sum'] : ['mean'],
    units: meterUnitsByDimension(kind),
  });
  return (result[entityId] ?? []).map((row) => ({ ...row, start: toMs(row.start), end: toMs(row.end) }));
}

/** HA sends epoch ms (2023.x on) or ISO strings (older); both end up as ms. */
function toMs(value: unknown): number {
  if (typeof value === 'number') return value;
  return Date.parse(String(value));
}

interface CompressedHistoryState {
  s: string;
  a?: Record<string, unknown>;
  lu?: number;
  lc?: number;
}

/** Raw state history, oldest first, including the state in force at `from`. */
export async function fetchHistory(sender: CommandSender, entityId: string, from: number, to: number): Promise<EntityState[]> {
  const result = await sender.command<Record<string, CompressedHistoryState[]>>({
    type: 'history/history_during_period',
    start_time: isoTime(from),
    end_time: isoTime(to),
    entity_ids: [entityId],
    include_start_time_state: true,
    significant_changes_only: false,
    minimal_response: false,
    no_attributes: false,
  });
  let attributes: Record<string, unknown> = {};
  return (result[entityId] ?? []).map((row) => {
    if (row.a) attributes = row.a;
    return { entity_id: entityId, state: String(row.s), attributes, ts: Math.round((row.lu ?? row.lc ?? from / 1000) * 1000) };
  });
}

export interface IntervalValue {
  start: number;
  end: number;
  value: number;
  source: 'statistics' | 'history';
  reset: boolean;
}

/**
 * Interval consumption (or a measurement's mean) from statistics: hourly rows for intervals of an
 * hour or more, 5-minute rows for shorter ones. An interval counts only when every period inside it is present.
 */
export function intervalsFromStatistics(
  rows: readonly StatisticsRow[],
  kind: ReadingKind,
  from: number,
  to: number,
  intervalMs: number,
  mode: BucketMode = kind === 'power' ? 'rate' : 'cumulative',
): Map<number, IntervalValue> {
  const byStart = new Map<number, StatisticsRow>(rows.map((row) => [row.start, row]));
  const out = new Map<number, IntervalValue>();
  for (const start of intervalStartsBetween(from, to, intervalMs)) {
    const end = start + intervalMs;
    let total = 0;
    let complete = true;
    let covered = 0;
    let cursor = start;
    while (cursor < end) {
      const row = byStart.get(cursor);
      const value = row ? rowValue(row, mode) : undefined;
      if (row === undefined || value === undefined || value === null) {
        complete = false;
        break;
      }
      total += mode === 'mean' ? value * (row.end - row.start) : value;
      covered += row.end - row.start;
      cursor = row.end;
    }
    if (complete && covered === intervalMs) out.set(start, { start, end, value: mode === 'mean' ? total / intervalMs : Math.max(0, total), source: 'statistics', reset: false });
  }
  return out;
}

/** A row's part of its interval: a meter's change, a power's energy, a measurement's mean (weighted by the row's length above). */
function rowValue(row: StatisticsRow, mode: BucketMode): number | null | undefined {
  if (mode === 'rate') return powerRowToKwh(row);
  if (mode === 'cumulative') return row.change;
  if (row.mean === undefined || row.mean === null) return undefined;
  return row.mean;
}

function powerRowToKwh(row: StatisticsRow): number | undefined {
  if (row.mean === undefined || row.mean === null) return undefined;
  return (row.mean * (row.end - row.start)) / wattMsPerKwh;
}

/** Replays raw history through a fresh bucketer: the fallback where statistics are missing. */
export function intervalsFromHistory(
  states: readonly EntityState[],
  toValue: (state: EntityState) => number | undefined,
  mode: BucketMode,
  from: number,
  to: number,
  intervalMs: number,
  meterUnit = '',
): Map<number, IntervalValue> {
  const bucketer = createBucketer(intervalMs, mode, meterUnit);
  bucketer.restartAt(from);
  const closed: ClosedInterval[] = [];
  for (const state of states) {
    if (state.ts >= to) break;
    closed.push(...bucketer.push({ ts: Math.max(state.ts, from), value: toValue(state) }).closed);
  }
  closed.push(...bucketer.advanceTo(to));
  const out = new Map<number, IntervalValue>();
  for (const interval of closed) {
    if (!interval.partial && interval.start >= from && interval.end <= to) {
      out.set(interval.start, { start: interval.start, end: interval.end, value: interval.value, source: 'history', reset: interval.reset });
    }
  }
  return out;
}
