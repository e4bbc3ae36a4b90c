/**
 * The learned state of one series, as a state store keeps it: versioned per detector kind, so
 * another detector (e.g. a general one) adds its own `detector` name and version beside this.
 */
import type { FeedbackKind } from '../feedback';
import type { HistoryColumns } from '../anomaly/scoring/series-history';
import type { HomeModelParams, HomeScorerState } from '../anomaly/model/home-model';
import type { Suppression } from '../anomaly/scoring/suppression';
import type { GeneralCoreState } from '../anomaly/general/state';

/** 2: the history as typed-array columns (1 had a tuple per point, five times the bytes). */
export const seriesStateVersion = 2;

/** A version-1 history point: [ts, rate, hour, flagged (0|1), feedback]. */
type HistoryTuple = [number, number, number, 0 | 1, FeedbackKind | null];

export interface SeriesDetectorState {
  detector: 'series';
  version: typeof seriesStateVersion;
  entityId: string;
  history: HistoryColumns;
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

const typedArrays = {
  $f32: Float32Array,
  $f64: Float64Array,
  $i32: Int32Array,
  $u16: Uint16Array,
  $u8: Uint8Array,
} as const;
type TypedArrayTag = keyof typeof typedArrays;
const typedArrayTags = Object.keys(typedArrays) as TypedArrayTag[];

function tagOf(value: unknown): TypedArrayTag | undefined {
  return typedArrayTags.find((tag) => value instanceof typedArrays[tag] && value.constructor === typedArrays[tag]);
}

/** State as bytes: JSON, with typed arrays (history columns, model weights) as base64. */
export function encodeState(state: DetectorState): Buffer {
  return Buffer.from(
    JSON.stringify(state, (_key, value: unknown) => {
      const tag = tagOf(value);
      if (!tag) return value;
      const array = value as Float32Array | Float64Array | Int32Array | Uint16Array | Uint8Array;
      return { [tag]: Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64') };
    }),
  );
}

function reviveTypedArrays(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const tag = typedArrayTags.find((candidate) => typeof (value as Record<string, unknown>)[candidate] === 'string');
  if (!tag) return value;
  const bytes = Buffer.from((value as Record<string, string>)[tag] as string, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new typedArrays[tag](copy.buffer);
}

/** A version-1 state's history tuples as columns, so a changelog written before still restores. */
function columnsFromTuples(tuples: HistoryTuple[]): HistoryColumns {
  const base = tuples.length > 0 ? (tuples[0] as HistoryTuple)[0] - ((tuples[0] as HistoryTuple)[0] % 1000) : 0;
  const columns: HistoryColumns = {
    base,
    seconds: new Int32Array(tuples.length),
    millis: new Uint16Array(tuples.length),
    rate: new Float64Array(tuples.length),
    hour: new Uint8Array(tuples.length),
    flags: new Uint8Array(tuples.length),
  };
  tuples.forEach(([ts, rate, hour, flagged, feedback], index) => {
    const seconds = Math.floor((ts - base) / 1000);
    columns.seconds[index] = seconds;
    columns.millis[index] = ts - base - seconds * 1000;
    columns.rate[index] = rate;
    columns.hour[index] = hour;
    columns.flags[index] = flagged | (feedback === 'expected' ? 2 : feedback === 'investigate' ? 4 : 0);
  });
  return columns;
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
  if (version !== seriesStateVersion && version !== 1) throw new StateFormatError(`series state version ${String(version)} is not supported (this build reads 1 and ${seriesStateVersion})`);
  if (typeof entityId !== 'string') throw new StateFormatError('state has no entityId');
  const state = parsed as Omit<SeriesDetectorState, 'history' | 'version'> & { version: number; history: unknown };
  if (version === 1) {
    if (!Array.isArray(state.history)) throw new StateFormatError('version-1 state has no history array');
    return { ...state, version: seriesStateVersion, history: columnsFromTuples(state.history as HistoryTuple[]) };
  }
  const history = state.history as Partial<HistoryColumns> | null;
  if (!history || typeof history.base !== 'number' || !(history.seconds instanceof Int32Array) || !(history.rate instanceof Float64Array)) throw new StateFormatError('state has no history columns');
  return state as SeriesDetectorState;
}
