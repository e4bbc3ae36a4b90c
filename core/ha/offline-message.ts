import { readingKinds, ReadingError, type ReadingKind } from '../reading';
import { clockTime, hourMs } from '../units';

/**
 * The messages of the "meter offline" alert: `msg.topic` is the kind, `msg.payload` the status.
 * The meter node sends them on its second output; the notify node turns them into notifications.
 */
export const meterOfflineTopic = 'meter_offline';
export const meterOnlineTopic = 'meter_online';
export type MeterStatusKind = typeof meterOfflineTopic | typeof meterOnlineTopic;

/** Why a meter counts as offline. */
export type OfflineCause = 'unavailable' | 'unknown' | 'non-numeric' | 'connection' | 'no-state';

export interface MeterStatus {
  entity_id: string;
  /** The entity's state as Home Assistant last reported it; null when none arrived. */
  state: string | null;
  cause: OfflineCause;
  kind: ReadingKind;
  /** When the offline episode began, ISO 8601. */
  since: string;
  /** When it ended (meter_online only), ISO 8601. */
  until?: string;
  /** How long it has been offline (meter_offline) or was offline (meter_online). */
  duration_s: number;
  explanation: string;
}

export interface MeterStatusMessage {
  topic: MeterStatusKind;
  payload: MeterStatus;
}

const nouns: Record<ReadingKind, string> = {
  energy: 'Energy meter',
  power: 'Power sensor',
  water: 'Water meter',
  gas: 'Gas meter',
  location: 'Tracker',
  other: 'Sensor',
};

/** "Energy meter", "Water meter", … for titles and explanations. */
export function meterNoun(kind: ReadingKind): string {
  return nouns[kind];
}

/** "45 s", "20 min", "2 h 10 min", "3 d 4 h". */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** The clock time, with the local date once it is not obviously today's: "02:10", "2026-11-20 02:10". */
export function sinceText(since: number, now: number): string {
  if (now - since < 12 * hourMs) return clockTime(since);
  const date = new Date(since);
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `${day} ${clockTime(since)}`;
}

function what(cause: OfflineCause, state: string | null): string {
  switch (cause) {
    case 'unavailable':
      return 'has been unavailable';
    case 'unknown':
      return 'has been unknown';
    case 'non-numeric':
      return `has reported "${state ?? ''}" (not a number)`;
    case 'connection':
      return 'has been out of reach (no connection to Home Assistant)';
    case 'no-state':
      return 'has sent no state';
  }
}

export interface OfflineEpisode {
  entityId: string;
  kind: ReadingKind;
  state: string | null;
  cause: OfflineCause;
  since: number;
}

export function offlineMessage(episode: OfflineEpisode, now: number): MeterStatusMessage {
  const duration = now - episode.since;
  const consequence =
    episode.cause === 'connection' ? 'missed intervals are backfilled once it is back' : 'readings are not being recorded';
  return {
    topic: meterOfflineTopic,
    payload: {
      entity_id: episode.entityId,
      state: episode.state,
      cause: episode.cause,
      kind: episode.kind,
      since: new Date(episode.since).toISOString(),
      duration_s: Math.round(duration / 1000),
      explanation: `${meterNoun(episode.kind)} ${episode.entityId} ${what(episode.cause, episode.state)} since ${sinceText(episode.since, now)} (${humanDuration(duration)}): ${consequence}`,
    },
  };
}

export function onlineMessage(episode: OfflineEpisode, state: string, now: number): MeterStatusMessage {
  const duration = now - episode.since;
  return {
    topic: meterOnlineTopic,
    payload: {
      entity_id: episode.entityId,
      state,
      cause: episode.cause,
      kind: episode.kind,
      since: new Date(episode.since).toISOString(),
      until: new Date(now).toISOString(),
      duration_s: Math.round(duration / 1000),
      explanation: `${meterNoun(episode.kind)} ${episode.entityId} is back online after ${humanDuration(duration)} (offline since ${sinceText(episode.since, now)})`,
    },
  };
}

const causes: readonly OfflineCause[] = ['unavailable', 'unknown', 'non-numeric', 'connection', 'no-state'];

/** Validates a meter_offline / meter_online payload that arrives at the notify node. */
export function parseMeterStatus(topic: MeterStatusKind, input: unknown): MeterStatus {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ReadingError(`a ${topic} payload must be a JSON object`);
  const record = input as Record<string, unknown>;
  const entityId = record.entity_id;
  if (typeof entityId !== 'string' || !/^[a-z0-9_]+\.[a-z0-9_]+$/.test(entityId)) throw new ReadingError(`a ${topic} payload needs an entity_id (domain.object_id), got ${JSON.stringify(entityId) ?? 'nothing'}`);
  const since = typeof record.since === 'string' ? Date.parse(record.since) : NaN;
  if (!Number.isFinite(since)) throw new ReadingError(`a ${topic} payload needs 'since' as an ISO time, got ${JSON.stringify(record.since) ?? 'nothing'}`);
  const explanation = record.explanation;
  if (typeof explanation !== 'string' || explanation.trim() === '') throw new ReadingError(`a ${topic} payload needs an 'explanation' text`);
  const kind = readingKinds.includes(record.kind as ReadingKind) ? (record.kind as ReadingKind) : 'other';
  const cause = causes.includes(record.cause as OfflineCause) ? (record.cause as OfflineCause) : 'unavailable';
  const duration = Number(record.duration_s);
  const status: MeterStatus = {
    entity_id: entityId,
    state: typeof record.state === 'string' ? record.state : null,
    cause,
    kind,
    since: new Date(since).toISOString(),
    duration_s: Number.isFinite(duration) && duration >= 0 ? Math.round(duration) : 0,
    explanation,
  };
  if (typeof record.until === 'string' && Number.isFinite(Date.parse(record.until))) status.until = new Date(Date.parse(record.until)).toISOString();
  return status;
}
