import type { ReadingKind } from '../reading';
import type { BucketMode } from './bucketer';
import type { EntityState } from './entity-stream';
import { intervalStart, intervalStartsBetween } from './interval';
import { fetchHistory, fetchStatistics, intervalsFromHistory, intervalsFromStatistics, type CommandSender, type IntervalValue } from './recorder';
import { hourMs } from '../units';

export interface BackfillRequest {
  source: CommandSender;
  entityId: string;
  kind: ReadingKind;
  mode: BucketMode;
  intervalMs: number;
  /** The unit the meter emits this entity in (its plausibility caps). */
  meterUnit?: string;
  /** A history state as a value in the meter's unit (undefined: unavailable, wrong unit). */
  toValue: (state: EntityState) => number | undefined;
  /** Failures that still leave an answer (history missing where statistics had it all). */
  onError?: (error: unknown, entityId: string) => void;
}

/** Interval consumption over [from, to): statistics where Home Assistant kept them, else replayed history. */
export async function readIntervals(request: BackfillRequest, from: number, to: number): Promise<IntervalValue[]> {
  const { source, entityId, kind, mode, intervalMs } = request;
  const meterUnit = request.meterUnit ?? '';
  const period = intervalMs % hourMs === 0 ? 'hour' : intervalMs % 300_000 === 0 ? '5minute' : undefined;
  const found = period ? intervalsFromStatistics(await fetchStatistics(source, entityId, kind, from, to, period, mode), kind, from, to, intervalMs, mode) : new Map<number, IntervalValue>();
  const missing = intervalStartsBetween(from, to, intervalMs).filter((start) => !found.has(start));
  const firstMissing = missing[0];
  if (firstMissing !== undefined) {
    let states: EntityState[];
    try {
      states = await fetchHistory(source, entityId, firstMissing, to);
    } catch (error) {
      // No history (integration not loaded, purged): what statistics gave is still right.
      if (found.size === 0) throw error;
      request.onError?.(error, entityId);
      return [...found.values()].sort((a, b) => a.start - b.start);
    }
    const fromHistory = intervalsFromHistory(states, request.toValue, mode, firstMissing, to, intervalMs, meterUnit);
    for (const start of missing) {
      const interval = fromHistory.get(start);
      if (interval) found.set(start, interval);
    }
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

export interface Gap {
  /** Start of the last interval emitted, if any. */
  lastEmitted: number | undefined;
  /** Start of the interval that was open when the connection dropped, if known. */
  openAtDrop: number | undefined;
  now: number;
  /** How far back a catch-up reaches at most. */
  maxBackfillMs: number;
}

/** The closed intervals a catch-up reads: from the one after the last emitted (else the one open at the drop) to the current one. */
export function gapRange(gap: Gap, intervalMs: number): { from: number; to: number } {
  const to = intervalStart(gap.now, intervalMs);
  const resumeAt = gap.lastEmitted !== undefined ? gap.lastEmitted + intervalMs : (gap.openAtDrop ?? to);
  return { from: Math.max(resumeAt, intervalStart(gap.now - gap.maxBackfillMs, intervalMs)), to };
}

/** The missed intervals of a gap, and how many of them neither statistics nor history could give. */
export async function backfillGap(request: BackfillRequest, from: number, to: number): Promise<{ intervals: IntervalValue[]; missing: number }> {
  if (from >= to) return { intervals: [], missing: 0 };
  const intervals = await readIntervals(request, from, to);
  const found = new Set(intervals.map((interval) => interval.start));
  return { intervals, missing: intervalStartsBetween(from, to, request.intervalMs).filter((start) => !found.has(start)).length };
}
