/** The reading contract of DESIGN.md: what the meter node emits and the raw topic carries. */
import { StreamSmartsError } from './errors';
import { hourOfDay } from './units';
import { valuePreview } from './preview';
export const readingKinds = ['energy', 'power', 'water', 'gas', 'location', 'other'] as const;
export type ReadingKind = (typeof readingKinds)[number];

export interface Reading {
  entity_id: string;
  /** Epoch ms; for an interval, its start. */
  ts: number;
  value: number;
  unit: string;
  kind: ReadingKind;
  /** 0-23, local time of ts. */
  hour: number;
  interval_s?: number;
  latitude?: number;
  longitude?: number;
  /** Emitted late, read from Home Assistant's statistics after a gap. */
  backfilled?: boolean;
  /** A data artefact rather than consumption: meter reset, outage zero, gap. */
  artefact?: 'reset' | 'outage' | 'gap';
  /** The entity's name in Home Assistant (its friendly_name), for what a person reads. */
  friendly_name?: string;
}

export interface ScoredReading extends Reading {
  /** Calibrated: > 1 means anomalous. */
  score: number;
  /** In [0, 1], rising with score. */
  anomaly_score: number;
  anomaly: boolean;
  expected: number;
  model: string;
  explanation?: string;
  /**
   * Not newer than the newest reading of its series scored before it (out of order, a duplicate
   * timestamp, a clock set back): scored against what is known, kept out of the learnt history.
   */
  late?: boolean;
}

/** The seed project's record: `{"hour": h, "mwh": v}` or `{"hour": h, "kwh": v}`, values in Wh. */
export interface SeedRecord {
  hour: number;
  mwh?: number;
  kwh?: number;
}

export const seedEntityId = 'seed.power';

/** Input that is not a reading; never worth retrying. */
export class ReadingError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

export interface ReadingParseOptions {
  /** Entity id given to seed records. */
  seedEntityId?: string;
  /** The day seed records are placed on (their hour, local time). */
  now?: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumber(record: Record<string, unknown>, field: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ReadingError(`'${field}' must be a finite number, got ${value === undefined ? 'nothing' : valuePreview(value)}`);
  }
  return value;
}

/** `hour` as an integer 0..23 (local hour of day); anything else is a ReadingError. */
function hourOfReading(record: Record<string, unknown>): number {
  const hour = finiteNumber(record, 'hour');
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new ReadingError(`'hour' must be an integer 0-23, got ${hour}`);
  return hour;
}

function fromSeed(record: Record<string, unknown>, options: ReadingParseOptions): Reading {
  const hour = hourOfReading(record);
  const value = finiteNumber(record, 'mwh' in record ? 'mwh' : 'kwh');
  const day = new Date(options.now ?? Date.now());
  day.setHours(hour, 0, 0, 0);
  return {
    entity_id: options.seedEntityId ?? seedEntityId,
    ts: day.getTime(),
    value,
    unit: 'Wh',
    kind: 'energy',
    hour,
    interval_s: 3600,
  };
}

/** Validates a full reading or converts a seed record; throws ReadingError naming the bad field. */
export function parseReading(input: unknown, options: ReadingParseOptions = {}): Reading {
  if (!isRecord(input)) throw new ReadingError(`a reading must be a JSON object, got ${input === undefined ? 'nothing' : valuePreview(input)}`);
  if (!('entity_id' in input) && 'hour' in input && ('mwh' in input || 'kwh' in input)) return fromSeed(input, options);
  const entityId = input.entity_id;
  if (typeof entityId !== 'string' || entityId.length === 0) throw new ReadingError(`'entity_id' must be a non-empty string`);
  const ts = finiteNumber(input, 'ts');
  const value = finiteNumber(input, 'value');
  const unit = typeof input.unit === 'string' ? input.unit : '';
  const kind = input.kind ?? 'other';
  if (typeof kind !== 'string' || !(readingKinds as readonly string[]).includes(kind)) {
    throw new ReadingError(`'kind' must be one of ${readingKinds.join(', ')}, got ${valuePreview(kind)}`);
  }
  const reading: Reading = {
    entity_id: entityId,
    ts,
    value,
    unit,
    kind: kind as ReadingKind,
    hour: 'hour' in input ? hourOfReading(input) : hourOfDay(ts),
  };
  for (const optional of ['interval_s', 'latitude', 'longitude'] as const) {
    if (input[optional] !== undefined && input[optional] !== null) reading[optional] = finiteNumber(input, optional);
  }
  if (input.backfilled === true) reading.backfilled = true;
  if (input.artefact === 'reset' || input.artefact === 'outage' || input.artefact === 'gap') reading.artefact = input.artefact;
  const name = friendlyName(input.friendly_name);
  if (name !== undefined) reading.friendly_name = name;
  return reading;
}

/** Longest friendly name a reading carries (HA allows 255 characters). */
export const maxFriendlyNameLength = 255;

/** A usable friendly name, trimmed and bounded; anything else is no name. */
export function friendlyName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  return name === '' ? undefined : name.slice(0, maxFriendlyNameLength);
}
