import { friendlyName, type Reading } from '../reading';
import { dayMs, hourOfDay, meterUnitOf } from '../units';
import { backfillGap, gapRange, readIntervals, type BackfillRequest } from './backfill';
import { refusals, type Bucketer, type BucketMode, type ClosedInterval, type PushOutcome } from './bucketer';
import { createBucketer } from './bucketer-factory';
import type { ConnectionStatus } from './client';
import { EntityStreamDecoder, type EntityState } from './entity-stream';
import { HaConfigError, HaConnectionError } from './errors';
import { intervalStart } from './interval';
import { wallClock, type MeterClock } from './meter-clock';
import { entityBucketMode, entityKind, intervalUnitOf, interpretState, isRefusal, type Home, type SkipReason } from './meter-entity';
import { fetchHistory, type IntervalValue } from './recorder';
import type { ReadingKind } from '../reading';

/** The part of HaClient the meter uses. */
export interface MeterSource {
  readonly connected: boolean;
  command<T>(message: { type: string; [key: string]: unknown }): Promise<T>;
  subscribe(message: { type: string; [key: string]: unknown }, callback: (event: unknown) => void): Promise<() => Promise<void>>;
  onReady(listener: () => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

/** Start of the last interval emitted per entity; kept in node context so a restart neither skips nor repeats. */
export interface IntervalLedger {
  get(entityId: string): number | undefined;
  set(entityId: string, start: number): void;
}

export interface MeterCounters {
  emitted: number;
  backfilled: number;
  /** unavailable / unknown / non-numeric states. */
  skipped: number;
  /** states refused as bad input: a unit that cannot be converted, absurd, negative or decreasing meter totals, past the kind's cap. */
  rejected: number;
  /** meters replaced by one at another reading (a new baseline). */
  replacements: number;
  /** out-of-order states (older than the last one; exact repeats are not counted). */
  stale: number;
  /** intervals not emitted because the meter's baseline was unknown for part of them. */
  partial: number;
  /** intervals neither statistics nor history could give. */
  gaps: number;
  resets: number;
}

export interface MeterOptions {
  entities: readonly string[];
  intervalMs: number;
  emitRaw: boolean;
  emitIntervals: boolean;
  source: MeterSource;
  ledger: IntervalLedger;
  emit: (reading: Reading) => void;
  /** The wall clock (tests inject one). */
  now?: () => number;
  /** What intervals are cut by; default the wall clock. A demo passes a simulated clock (meter-clock.ts). */
  clock?: MeterClock;
  /** How far back a catch-up reaches at most (default 7 days). */
  maxBackfillMs?: number;
  /** Intervals close this long (wall ms) after their end, so states stamped just before it arrive first. */
  closeGraceMs?: number;
  /** How long a catch-up waits for an entity's first state after subscribing. */
  stateWaitMs?: number;
  /** A catch-up that failed (HA still starting, history not loaded yet) is tried again this often after this long. */
  catchUpRetries?: number;
  catchUpRetryMs?: number;
  onCounters?: (counters: Readonly<MeterCounters>) => void;
  /** Every live state as it arrives (also during a catch-up), with why it gave no reading (the offline watch). */
  onState?: (state: EntityState, skipped: SkipReason | undefined) => void;
  onError?: (error: unknown, entityId?: string) => void;
  /** Each state refused as bad input, with why (also counted in `rejected`). */
  onRejected?: (rejection: Rejection) => void;
}

export interface Rejection {
  entityId: string;
  ts: number;
  /** The state as Home Assistant sent it. */
  state: string;
  unit: string;
  reason: SkipReason | PushOutcome;
  message: string;
}

const rejectionText: Partial<Record<SkipReason | PushOutcome, string>> = {
  unit: 'its unit cannot be converted for this kind',
  implausible: 'no household sensor reports that (non-finite, beyond 1e9, or past the cap for its kind)',
  negative: 'a meter total cannot be negative',
  decrease: 'a meter total went down a little (not a reset): no consumption is negative',
};

/**
 * The meter source: live states from `subscribe_entities`, interval consumption closed on the
 * meter's clock (the wall clock, or a demo's simulated one: state times are mapped onto it), and after every (re)connect a catch-up that emits the missed intervals (statistics,
 * else history) and rebuilds the open interval from history, while live states wait in a buffer.
 */
export class EntityMeter {
  readonly counters: MeterCounters = { emitted: 0, backfilled: 0, skipped: 0, rejected: 0, replacements: 0, stale: 0, partial: 0, gaps: 0, resets: 0 };
  private readonly decoder = new EntityStreamDecoder();
  private readonly bucketers = new Map<string, Bucketer>();
  private readonly lastRawTs = new Map<string, number>();
  /** Newest state time per entity, live or from history (unclamped). */
  private readonly lastSeen = new Map<string, number>();
  /** Each entity's friendly_name as HA reported it last. */
  private readonly names = new Map<string, string>();
  /** Canonical unit each entity reported last (gas may be m³ or kWh). */
  private readonly units = new Map<string, string>();
  private readonly buffer: EntityState[] = [];
  /** True from start and from every disconnect until the catch-up after the next connect is done. */
  private awaitingCatchUp = true;
  private catchUpRun: Promise<void> | undefined;
  private connected = false;
  private stopped = false;
  private home: Home | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Catch-ups retried since the last connect (HA still starting up answers "unknown command" for a while). */
  private catchUpRetries = 0;
  private readonly cleanups: Array<() => unknown> = [];
  private readonly now: () => number;
  private readonly clock: MeterClock;

  constructor(private readonly options: MeterOptions) {
    this.now = options.now ?? Date.now;
    this.clock = options.clock ?? wallClock;
    for (const entityId of options.entities) {
      if (!/^[a-z0-9_]+\.[a-z0-9_]+$/.test(entityId)) throw new HaConfigError(`'${entityId}' is not an entity id (domain.object_id)`);
    }
    if (options.entities.length === 0) throw new HaConfigError('no entities configured');
    if (!(options.intervalMs > 0)) throw new HaConfigError('the interval must be positive');
  }

  async start(): Promise<void> {
    this.cleanups.push(
      this.options.source.onStatus((status) => {
        this.connected = status.state === 'connected';
        if (!this.connected) {
          this.awaitingCatchUp = true;
          clearTimeout(this.timer);
        }
      }),
    );
    const unsubscribe = await this.options.source.subscribe({ type: 'subscribe_entities', entity_ids: [...this.options.entities] }, (event) => this.onMessage(event));
    this.cleanups.push(unsubscribe);
    this.cleanups.push(
      this.options.source.onReady(() => {
        this.catchUpRetries = 0;
        void this.catchUp();
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    for (const cleanup of this.cleanups.splice(0)) await Promise.resolve(cleanup()).catch(() => undefined);
  }

  /** True while missed intervals are being read after a (re)connect. */
  get catchingUp(): boolean {
    return this.catchUpRun !== undefined;
  }

  /** Resolves when the running catch-up (if any) is done; for tests and the history command. */
  async settled(): Promise<void> {
    while (this.catchUpRun) await this.catchUpRun;
  }

  /** `days` of interval consumption per entity, ending with the last closed interval. */
  async history(days: number): Promise<Reading[]> {
    if (!(days > 0)) throw new HaConfigError('payload.days must be a positive number');
    if (!this.options.source.connected) throw new HaConnectionError('not connected to Home Assistant; ask again when the status shows connected');
    const now = this.now();
    const to = intervalStart(now, this.options.intervalMs);
    const from = intervalStart(to - days * dayMs, this.options.intervalMs);
    const out: Reading[] = [];
    for (const entityId of this.options.entities) {
      const state = await this.currentState(entityId);
      this.rememberName(state);
      const kind = entityKind(state);
      const mode = entityBucketMode(state);
      if (!mode) throw new HaConfigError(`${entityId} gives no intervals (kind ${kind}); history needs a meter (energy, power, water, gas) or a sensor with a state_class`);
      for (const interval of await readIntervals(this.backfillRequest(entityId, kind, mode), from, to)) out.push(this.intervalReading(entityId, kind, interval, false));
    }
    return out;
  }

  private onMessage(event: unknown): void {
    const states = this.onClock(this.decoder.decode(event));
    if (this.options.onState) {
      for (const state of states) {
        const interpretation = interpretState(state, this.home);
        this.options.onState(state, 'skipped' in interpretation ? interpretation.skipped : undefined);
      }
    }
    if (this.awaitingCatchUp) this.buffer.push(...states);
    else for (const state of states) this.handle(state, false);
  }

  /** States as the meter's clock saw them (HA stamps them with the wall clock). */
  private onClock(states: EntityState[]): EntityState[] {
    return this.clock.wall ? states : states.map((state) => ({ ...state, ts: this.clock.fromWall(state.ts) }));
  }

  private meterNow(): number {
    return this.clock.fromWall(this.now());
  }

  private handle(state: EntityState, backfilled: boolean): void {
    const seen = this.lastSeen.get(state.entity_id);
    if (!backfilled && seen !== undefined && state.ts <= seen) {
      // A snapshot repeats the current state after every (re)subscribe; history may have given it
      // already, stamped with the interval start. Only an older change is out of order.
      if (state.ts < seen && !state.snapshot) this.count('stale');
      return;
    }
    if (seen === undefined || state.ts > seen) this.lastSeen.set(state.entity_id, state.ts);
    this.rememberName(state);
    const interpretation = interpretState(state, this.home);
    const kind = entityKind(state);
    const mode = entityBucketMode(state);
    if ('skipped' in interpretation) {
      if (isRefusal(interpretation.skipped)) {
        this.reject(state, interpretation.skipped);
        return;
      }
      this.count('skipped');
      if (mode && this.options.emitIntervals && interpretation.skipped === 'unavailable') this.bucket(state.entity_id, kind, mode, state.ts, undefined, backfilled);
      return;
    }
    const reading = interpretation.reading;
    this.units.set(state.entity_id, reading.unit);
    if (this.options.emitRaw && state.ts > (this.lastRawTs.get(state.entity_id) ?? -Infinity)) {
      this.lastRawTs.set(state.entity_id, state.ts);
      this.emit(backfilled ? { ...reading, backfilled: true } : reading);
    }
    if (mode && this.options.emitIntervals) {
      const outcome = this.bucket(state.entity_id, kind, mode, state.ts, reading.value, backfilled);
      if (refusals.includes(outcome)) this.reject(state, outcome);
    }
  }

  private bucket(entityId: string, kind: ReadingKind, mode: BucketMode, ts: number, value: number | undefined, backfilled: boolean): PushOutcome {
    let bucketer = this.bucketers.get(entityId);
    if (!bucketer) {
      bucketer = this.newBucketer(entityId, kind, mode);
      bucketer.restartAt(ts);
      this.bucketers.set(entityId, bucketer);
      if (!this.awaitingCatchUp) this.scheduleClose();
    }
    const { outcome, closed } = bucketer.push({ ts, value });
    if (outcome === 'stale') this.count('stale');
    if (outcome === 'reset') this.count('resets');
    if (outcome === 'replacement') this.count('replacements');
    this.emitClosed(entityId, kind, closed, backfilled);
    return outcome;
  }

  private newBucketer(entityId: string, kind: ReadingKind, mode: BucketMode): Bucketer {
    return createBucketer(this.options.intervalMs, mode, this.units.get(entityId) ?? meterUnitOf(kind));
  }

  private reject(state: EntityState, reason: SkipReason | PushOutcome): void {
    const unit = typeof state.attributes.unit_of_measurement === 'string' ? state.attributes.unit_of_measurement : '';
    const shown = state.state.length > 40 ? `${state.state.slice(0, 40)}…` : state.state;
    const message = `${state.entity_id}: state '${shown}'${unit ? ` ${unit}` : ''} refused: ${rejectionText[reason] ?? reason}`;
    this.count('rejected');
    this.options.onRejected?.({ entityId: state.entity_id, ts: state.ts, state: state.state, unit, reason, message });
  }

  private emitClosed(entityId: string, kind: ReadingKind, closed: readonly ClosedInterval[], backfilled: boolean): void {
    for (const interval of closed) {
      if (interval.partial) {
        this.count('partial');
        continue;
      }
      this.emitInterval(entityId, kind, { start: interval.start, end: interval.end, value: interval.value, source: 'history', reset: interval.reset }, backfilled);
    }
  }

  private emitInterval(entityId: string, kind: ReadingKind, interval: IntervalValue, backfilled: boolean): void {
    const last = this.options.ledger.get(entityId);
    if (last !== undefined && interval.start <= last) return;
    this.options.ledger.set(entityId, interval.start);
    this.emit(this.intervalReading(entityId, kind, interval, backfilled));
  }

  private intervalReading(entityId: string, kind: ReadingKind, interval: IntervalValue, backfilled: boolean): Reading {
    const { kind: outKind, unit } = intervalUnitOf(kind, this.units.get(entityId) ?? meterUnitOf(kind));
    const reading: Reading = {
      entity_id: entityId,
      ts: interval.start,
      value: Math.round(interval.value * 1e6) / 1e6,
      unit,
      kind: outKind,
      hour: hourOfDay(interval.start),
      interval_s: Math.round(this.options.intervalMs / 1000),
    };
    if (backfilled) reading.backfilled = true;
    const name = this.names.get(entityId);
    if (name !== undefined) reading.friendly_name = name;
    return reading;
  }

  /** The unit the entity's readings are emitted in, from a state that gives one. */
  private rememberUnit(state: EntityState): void {
    const interpretation = interpretState(state, this.home);
    if ('reading' in interpretation) this.units.set(state.entity_id, interpretation.reading.unit);
  }

  private rememberName(state: EntityState): void {
    const name = friendlyName(state.attributes.friendly_name);
    if (name !== undefined) this.names.set(state.entity_id, name);
  }

  private emit(reading: Reading): void {
    const name = this.names.get(reading.entity_id);
    if (name !== undefined && reading.friendly_name === undefined) reading.friendly_name = name;
    this.counters.emitted += 1;
    if (reading.backfilled) this.counters.backfilled += 1;
    this.options.emit(reading);
    this.options.onCounters?.(this.counters);
  }

  private count(counter: keyof MeterCounters): void {
    this.counters[counter] += 1;
    this.options.onCounters?.(this.counters);
  }

  private catchUp(): Promise<void> {
    if (!this.catchUpRun) {
      this.catchUpRun = this.runCatchUp().finally(() => {
        this.catchUpRun = undefined;
        this.options.onCounters?.(this.counters);
      });
      this.options.onCounters?.(this.counters);
    }
    return this.catchUpRun;
  }

  private async runCatchUp(): Promise<void> {
    this.awaitingCatchUp = true;
    clearTimeout(this.timer);
    try {
      const config = await this.options.source.command<{ latitude?: number; longitude?: number }>({ type: 'get_config' });
      if (typeof config.latitude === 'number' && typeof config.longitude === 'number') this.home = { latitude: config.latitude, longitude: config.longitude };
    } catch (error) {
      this.options.onError?.(error);
    }
    let failed = false;
    for (const entityId of this.options.entities) {
      if (this.stopped || !this.connected) return;
      try {
        await this.catchUpEntity(entityId);
      } catch (error) {
        failed = true;
        // Right after a (re)connect the old baseline would pour the whole gap into the open interval
        // and close the missed ones as 0: start over, so the open interval counts as partial. A
        // retry keeps the live state, which is whole since that restart.
        if (this.catchUpRetries === 0) this.bucketers.get(entityId)?.restartAt(this.meterNow());
        this.options.onError?.(error, entityId);
      }
    }
    if (this.stopped || !this.connected) return;
    // Live states that arrived meanwhile: the ones history already covered are stale and dropped.
    while (this.buffer.length > 0) {
      const state = this.buffer.shift();
      if (state) this.handle(state, false);
    }
    this.awaitingCatchUp = false;
    this.scheduleClose();
    if (failed && this.catchUpRetries < (this.options.catchUpRetries ?? 5)) {
      this.catchUpRetries += 1;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (this.connected && !this.stopped) void this.catchUp();
      }, this.options.catchUpRetryMs ?? 15_000);
      this.retryTimer.unref?.();
    }
  }

  private async catchUpEntity(entityId: string): Promise<void> {
    const state = await this.currentState(entityId);
    const kind = entityKind(state);
    const mode = entityBucketMode(state);
    this.rememberUnit(state);
    const now = this.meterNow();
    const maxBackfillMs = this.options.maxBackfillMs ?? 7 * dayMs;
    const earliest = now - maxBackfillMs;
    const currentStart = intervalStart(now, this.options.intervalMs);
    // HA's statistics are kept on the wall clock: a simulated clock's missed intervals are not in them.
    if (mode && this.options.emitIntervals && this.clock.wall) {
      const gap = { lastEmitted: this.options.ledger.get(entityId), openAtDrop: this.bucketers.get(entityId)?.currentStart, now, maxBackfillMs };
      const { from, to } = gapRange(gap, this.options.intervalMs);
      const { intervals, missing } = await backfillGap(this.backfillRequest(entityId, kind, mode), from, to);
      this.counters.gaps += missing;
      for (const interval of intervals) this.emitInterval(entityId, kind, interval, true);
    }
    const lastRaw = this.options.emitRaw ? this.lastRawTs.get(entityId) : undefined;
    const historyFrom = Math.max(earliest, Math.min(currentStart, lastRaw ?? currentStart));
    const states = await this.fetchHistory(entityId, historyFrom, now);
    if (mode && this.options.emitIntervals) {
      const bucketer = this.newBucketer(entityId, kind, mode);
      bucketer.restartAt(currentStart);
      this.bucketers.set(entityId, bucketer);
    }
    // The state in force at the interval start is its baseline; later ones replay in order.
    const inForce = states.filter((item) => item.ts <= currentStart).pop();
    for (const item of states) {
      if (lastRaw !== undefined && item.ts > lastRaw && item.ts <= currentStart) this.emitRawOnly(item);
    }
    if (inForce && inForce.ts > (this.lastSeen.get(entityId) ?? -Infinity)) this.lastSeen.set(entityId, inForce.ts);
    const replay = inForce ? [{ ...inForce, ts: currentStart }, ...states.filter((item) => item.ts > currentStart)] : states;
    for (const item of replay) {
      if (item === replay[0] && inForce) this.handleBaseline(item);
      else this.handle(item, true);
    }
    const bucketer = this.bucketers.get(entityId);
    if (bucketer) this.emitClosed(entityId, kind, bucketer.advanceTo(now), true);
  }

  /** The start-of-interval state: only a baseline for the bucketer, never a reading of its own. */
  private handleBaseline(state: EntityState): void {
    const interpretation = interpretState(state, this.home);
    const kind = entityKind(state);
    const mode = entityBucketMode(state);
    if (!mode || !this.options.emitIntervals) return;
    this.bucket(state.entity_id, kind, mode, state.ts, 'reading' in interpretation ? interpretation.reading.value : undefined, true);
  }

  private emitRawOnly(state: EntityState): void {
    const interpretation = interpretState(state, this.home);
    if (!('reading' in interpretation)) return;
    this.lastRawTs.set(state.entity_id, state.ts);
    this.emit({ ...interpretation.reading, backfilled: true });
  }

  private backfillRequest(entityId: string, kind: ReadingKind, mode: BucketMode): BackfillRequest {
    const toValue = (state: EntityState): number | undefined => {
      const interpretation = interpretState(state, this.home);
      return 'reading' in interpretation ? interpretation.reading.value : undefined;
    };
    const meterUnit = this.units.get(entityId) ?? meterUnitOf(kind);
    return { source: this.options.source, entityId, kind, mode, intervalMs: this.options.intervalMs, meterUnit, toValue, onError: this.options.onError };
  }

  /** HA's history between two meter times (never past the wall clock's now), on the meter's clock. */
  private async fetchHistory(entityId: string, from: number, to: number): Promise<EntityState[]> {
    if (this.clock.wall) return fetchHistory(this.options.source, entityId, from, to);
    const wallNow = this.now();
    const states = await fetchHistory(this.options.source, entityId, Math.min(this.clock.toWall(from), wallNow), Math.min(this.clock.toWall(to), wallNow));
    return this.onClock(states);
  }

  private async currentState(entityId: string): Promise<EntityState> {
    const deadline = this.now() + (this.options.stateWaitMs ?? 3000);
    for (;;) {
      const state = this.decoder.latest(entityId);
      if (state) return state;
      if (this.now() >= deadline || this.stopped) throw new HaConfigError(`Home Assistant has no entity ${entityId}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private scheduleClose(): void {
    clearTimeout(this.timer);
    if (this.stopped || !this.connected || this.awaitingCatchUp || !this.options.emitIntervals) return;
    let next = Infinity;
    for (const bucketer of this.bucketers.values()) {
      const start = bucketer.currentStart;
      if (start !== undefined) next = Math.min(next, start + bucketer.intervalMs);
    }
    if (!Number.isFinite(next)) return;
    const delay = Math.max(0, this.clock.toWall(next) - this.now()) + (this.options.closeGraceMs ?? 1000);
    this.timer = setTimeout(() => this.closeOnClock(), delay);
    this.timer.unref?.();
  }

  private closeOnClock(): void {
    if (this.stopped || !this.connected || this.awaitingCatchUp) return;
    const now = this.clock.fromWall(this.now() - (this.options.closeGraceMs ?? 1000));
    for (const [entityId, bucketer] of this.bucketers) {
      const state = this.decoder.latest(entityId);
      if (state) this.emitClosed(entityId, entityKind(state), bucketer.advanceTo(now), false);
    }
    this.scheduleClose();
  }
}
