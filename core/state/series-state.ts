/**
 * The learned state of one series, as a state store keeps it: versioned per detector kind, so
 * another detector (e.g. a general one) adds its own `detector` name and version beside this.
 */
import type { FeedbackKind } from '../feedback';
import type { HomeModelParams, HomeScorerState } from '../anomaly/model/home-model';
import type { Suppression } from '../anomaly/scoring/suppression';
import type { GeneralCoreState } from '../anomaly/general/state';

export const seriesStateVersion = 1;

/** A history point, compact: [ts, rate, hour, flagged (0|1), feedback]. */
export type HistoryTuple = [number, number, number, 0 | 1, FeedbackKind | null];

export interface SeriesDetectorState {
  detector: 'series';
  version: typeof seriesStateVersion;
  entityId: string;
  history: HistoryTuple[];
  model: HomeModelParams | null;
  scorerState: HomeScorerState | null;
  trainedAt: number | null;
  suppressions: Suppression[];
  hourSums: number[];
  hourCounts: number[];
  intervalS: number;
  lastTs: number | null;
  lastScore: number | null;
  lastAlarmTs: number | null;
  lateCount: number;
  unit: string | null;
  modelId: string;
  /** The general detector's state, for a series of kind other (absent in older snapshots). */
  general?: GeneralCoreState | null;
}

/** Any detector's state; the `detector` field says which. */
export type DetectorState = SeriesDetectorState;

export class StateFormatError extends Error {}

/** State as bytes: JSON, compact tuples for the history, model weights (Float32Array) as base64. */
export function encodeState(state: DetectorState): Buffer {
  return Buffer.from(
    JSON.stringify(state, (_key, value: unknown) => {
      if (value instanceof Float32Array) return { $f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      return value;
    }),
  );
}

function reviveTypedArrays(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { $f32?: unknown }).$f32 === 'string') {
    const bytes = Buffer.from((value as { $f32: string }).$f32, 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new Float32Array(copy.buffer);
  }
  return value;
}

export function decodeState(bytes: Buffer | string): DetectorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(bytes), reviveTypedArrays);
  } catch (error) {
    throw new StateFormatError(`state is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new StateFormatError('state is not an object');
  const { detector, version, entityId } = parsed as Record<string, unknown>;
  if (detector !== 'series') throw new StateFormatError(`unknown detector state '${String(detector)}'`);
  if (version !== seriesStateVersion) throw new StateFormatError(`series state version ${String(version)} is not supported (this build reads ${seriesStateVersion})`);
  if (typeof entityId !== 'string') throw new StateFormatError('state has no entityId');
  return parsed as SeriesDetectorState;
}
