import type { ReadingKind } from '../reading';
import type { EntityState } from './entity-stream';
import { HaConfigError } from './errors';
import { entityKind, type SkipReason } from './meter-entity';
import { offlineMessage, onlineMessage, type MeterStatusMessage, type OfflineCause, type OfflineEpisode } from './offline-message';

/** Schedules `callback` after `ms`; returns a function that cancels it. */
export type Schedule = (callback: () => void, ms: number) => () => void;

export interface OfflineWatchOptions {
  entities: readonly string[];
  /** How long a meter must stay offline before it is reported (> 0). */
  graceMs: number;
  now: () => number;
  schedule: Schedule;
  /** One meter_offline per episode that outlasted the grace period, then one meter_online. */
  emit: (message: MeterStatusMessage) => void;
  /** Any change of what `offline()` returns (for the status dot). */
  onChange?: () => void;
}

export interface OfflineEntity {
  entityId: string;
  since: number;
  cause: OfflineCause;
  /** True once meter_offline was sent for this episode. */
  reported: boolean;
}

export interface OfflineWatch {
  /** Every state of a watched entity, with the meter's verdict on it (`skipped` when it gave no reading). */
  observe(state: EntityState, skipped: SkipReason | undefined): void;
  /** The shared Home Assistant connection went up or down. */
  connection(connected: boolean): void;
  /** Entities currently in an offline episode (reported or still within the grace period). */
  offline(): OfflineEntity[];
  stop(): void;
}

interface Watched {
  kind: ReadingKind;
  /** Last state Home Assistant reported (null: none since start). */
  state: string | null;
  /** Why the last state gave no reading, when that makes the meter offline. */
  stateCause: OfflineCause | undefined;
  stateSince: number;
  /** False from start and from every disconnect until a state arrives over the (new) connection. */
  fresh: boolean;
  episode: OfflineEpisode | undefined;
  reported: boolean;
  cancel: (() => void) | undefined;
}

/**
 * A wrong unit is a configuration matter, not an outage: the meter is still reporting. A tracker
 * without coordinates (zone-only, e.g. a router tracker) is "non-numeric" too, but it is reporting.
 */
function causeOf(state: EntityState, skipped: SkipReason | undefined): OfflineCause | undefined {
  if (skipped === 'unavailable') return state.state === 'unknown' ? 'unknown' : 'unavailable';
  if (skipped === 'non-numeric' && entityKind(state) !== 'location') return 'non-numeric';
  return undefined;
}

/**
 * Decides when a meter is offline: its state has been unavailable / unknown / non-numeric, or Home
 * Assistant has been out of reach, for longer than the grace period. Each episode is reported once,
 * and its end once; an episode shorter than the grace period is not reported at all.
 */
export function createOfflineWatch(options: OfflineWatchOptions): OfflineWatch {
  if (!(options.graceMs > 0)) throw new HaConfigError('the offline grace period must be positive');
  const start = options.now();
  let connected = false;
  let disconnectedSince = start;
  let stopped = false;
  const watched = new Map<string, Watched>();
  for (const entityId of options.entities) {
    watched.set(entityId, { kind: 'other', state: null, stateCause: undefined, stateSince: start, fresh: false, episode: undefined, reported: false, cancel: undefined });
  }

  /** Why the entity is offline right now, and since when this cause holds. */
  function currentCause(entry: Watched): { cause: OfflineCause; since: number } | undefined {
    if (!connected) return { cause: 'connection', since: disconnectedSince };
    if (!entry.fresh) return entry.state === null ? { cause: 'no-state', since: disconnectedSince } : { cause: 'connection', since: disconnectedSince };
    if (entry.stateCause) return { cause: entry.stateCause, since: entry.stateSince };
    return undefined;
  }

  function update(entityId: string, entry: Watched): void {
    if (stopped) return;
    const now = options.now();
    const offline = currentCause(entry);
    if (!offline) {
      const episode = entry.episode;
      if (!episode) return;
      entry.cancel?.();
      entry.cancel = undefined;
      entry.episode = undefined;
      if (entry.reported) options.emit(onlineMessage({ ...episode, kind: entry.kind }, entry.state ?? '', now));
      entry.reported = false;
      options.onChange?.();
      return;
    }
    // The cause may change within an episode (connection back, state still unavailable); it began
    // with the earliest of them (a state stamped before a disconnect was noticed, or before start).
    const since = Math.min(offline.since, now, entry.episode?.since ?? Infinity);
    entry.episode = { entityId, kind: entry.kind, state: entry.state, cause: offline.cause, since };
    if (!entry.reported) {
      entry.cancel?.();
      entry.cancel = undefined;
      const due = since + options.graceMs - now;
      if (due <= 0) report(entry);
      else entry.cancel = options.schedule(() => report(entry), due);
    }
    options.onChange?.();
  }

  function report(entry: Watched): void {
    entry.cancel = undefined;
    if (stopped || !entry.episode || entry.reported) return;
    entry.reported = true;
    options.emit(offlineMessage(entry.episode, options.now()));
    options.onChange?.();
  }

  for (const [entityId, entry] of watched) update(entityId, entry);

  return {
    observe(state, skipped) {
      const entry = watched.get(state.entity_id);
      if (!entry || stopped) return;
      const cause = causeOf(state, skipped);
      entry.kind = entityKind(state);
      // A state's own time says since when it holds (a meter unavailable since before we started).
      if (cause !== entry.stateCause || entry.state === null) entry.stateSince = cause ? Math.min(state.ts, options.now()) : options.now();
      entry.state = state.state;
      entry.stateCause = cause;
      entry.fresh = true;
      update(state.entity_id, entry);
    },
    connection(isConnected) {
      if (stopped || isConnected === connected) return;
      connected = isConnected;
      if (!isConnected) {
        disconnectedSince = options.now();
        for (const entry of watched.values()) entry.fresh = false;
      }
      for (const [entityId, entry] of watched) update(entityId, entry);
    },
    offline() {
      const out: OfflineEntity[] = [];
      for (const [entityId, entry] of watched) {
        if (entry.episode) out.push({ entityId, since: entry.episode.since, cause: entry.episode.cause, reported: entry.reported });
      }
      return out;
    },
    stop() {
      stopped = true;
      for (const entry of watched.values()) entry.cancel?.();
    },
  };
}

/** The real clock's timers; unref'd so a pending grace period never keeps Node alive. */
export const realSchedule: Schedule = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};
