import { parseReading, ReadingError } from '../../reading';
import type { ConnectionStatus } from '../client';
import { errorMessage } from '../../errors';
import { HaConnectionError } from '../errors';
import { meterOfflineTopic, parseMeterStatus, type MeterStatusKind } from '../offline-message';
import { AlertDedup } from './alert-dedup';
import { BoundedQueue } from './alert-queue';
import { clearCalls, eventCall, persistentCall, pushCalls, sensorCall, type HaCall, type NotifyOptions, type ScoredSubject } from './alert-plan';
import type { Feedback } from '../../feedback';
import { feedbackFromAction, notificationActionEvent } from './feedback';
import { meterStatusClearCalls, meterStatusEventCall, meterStatusPersistentCall, meterStatusPushCalls } from './offline-plan';
import { AlertPolicy, type PolicyOptions, type PushDecision } from './policy';
import { SensorThrottle } from './sensor-throttle';

/** The part of HaClient the notifier uses. */
export interface NotifierSink {
  readonly connected: boolean;
  callService(domain: string, service: string, data?: object): Promise<unknown>;
  fireEvent(eventType: string, data: object): Promise<unknown>;
  setState(entityId: string, state: string, attributes: object): Promise<void>;
  subscribe(message: { type: string; [key: string]: unknown }, callback: (event: unknown) => void): Promise<() => Promise<void>>;
  onReady(listener: () => void): () => void;
  onStatus?(listener: (status: ConnectionStatus) => void): () => void;
}

export interface NotifierOptions extends NotifyOptions, PolicyOptions {
  sink: NotifierSink;
  queueCapacity?: number;
  /** Delay before a queued alert is tried again while the connection looks up. */
  retryMs?: number;
  /** Least time between two score-sensor updates of one entity while it scores normal (default 10 s). */
  sensorIntervalMs?: number;
  now?: () => number;
  onFeedback?: (feedback: Feedback) => void;
  /** A queued alert dropped, or one that failed after HA came back. */
  onWarn?: (message: string) => void;
  onQueueChange?: (size: number) => void;
  /** (entity, interval) pairs remembered to alert on each at most once (default 10,000). */
  dedupCapacity?: number;
}

export interface AlertOutcome {
  entity_id: string;
  anomaly: boolean;
  /** Set for a meter_offline / meter_online message. */
  kind?: MeterStatusKind;
  /** `offline-not-pushed`: a meter is back but its going offline was never pushed, so neither is this. */
  /** `duplicate`: an anomaly of an entity's interval already alerted on (at-least-once redelivery). */
  push: PushDecision | { push: false; reason: 'normal' | 'offline-not-pushed' | 'offline-never-shown' | 'duplicate' };
  /** Waiting for Home Assistant to come back. */
  queued: boolean;
  calls: number;
}

interface QueuedAlert {
  entityId: string;
  calls: HaCall[];
  /** A meter's "offline" notice: dropped unsent if the meter is back before HA could show it. */
  meterOffline?: boolean;
}

export const defaultSensorIntervalMs = 10_000;

/** Validates a scored reading: the reading contract plus score, expected and anomaly. */
export function parseScored(input: unknown): ScoredSubject {
  const reading = parseReading(input);
  const record = input as Record<string, unknown>;
  const score = record.score;
  const expected = record.expected;
  if (typeof score !== 'number' || !Number.isFinite(score)) throw new ReadingError(`a scored reading needs a numeric 'score', got ${JSON.stringify(score) ?? 'nothing'}`);
  if (typeof expected !== 'number' || !Number.isFinite(expected)) throw new ReadingError(`a scored reading needs a numeric 'expected', got ${JSON.stringify(expected) ?? 'nothing'}`);
  const anomaly = typeof record.anomaly === 'boolean' ? record.anomaly : score > 1;
  return { ...reading, score, expected, anomaly };
}

/**
 * Turns scored readings into HA notifications, events and a score sensor; queues while HA is
 * unreachable and sends on reconnect; emits the phone's answers to its actionable notifications.
 */
export class AnomalyNotifier {
  private readonly policy: AlertPolicy;
  /** Meter offline pushes have their own cooldown, so they and anomaly alerts never hold each other back. */
  private readonly offlinePolicy: AlertPolicy;
  /** Entities whose "offline" push may still be on the phone. */
  private readonly offlineShown = new Set<string>();
  private readonly queue: BoundedQueue<QueuedAlert>;
  private readonly lastAnomaly = new Map<string, number>();
  private readonly cleanups: Array<() => unknown> = [];
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sensorThrottle: SensorThrottle<HaCall>;
  private readonly dedup: AlertDedup;

  constructor(private readonly options: NotifierOptions) {
    this.policy = new AlertPolicy(options);
    this.offlinePolicy = new AlertPolicy(options);
    this.now = options.now ?? Date.now;
    this.dedup = new AlertDedup(options.dedupCapacity);
    this.sensorThrottle = new SensorThrottle(options.sensorIntervalMs ?? defaultSensorIntervalMs, this.now, (entityId, call) => this.sendHeldSensor(entityId, call));
    this.queue = new BoundedQueue(options.queueCapacity ?? 100, (dropped) => {
      options.onWarn?.(`alert queue full: dropped the oldest alert for ${dropped.entityId}`);
    });
  }

  get queued(): number {
    return this.queue.size;
  }

  async start(): Promise<void> {
    const sink = this.options.sink;
    if (this.options.onFeedback) {
      const unsubscribe = await sink.subscribe({ type: 'subscribe_events', event_type: notificationActionEvent }, (event) => {
        const feedback = feedbackFromAction(event, this.options.actionPrefix);
        if (feedback) this.options.onFeedback?.(feedback);
      });
      this.cleanups.push(unsubscribe);
    }
    this.cleanups.push(sink.onReady(() => void this.flush()));
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.sensorThrottle.stop();
    for (const cleanup of this.cleanups.splice(0)) await Promise.resolve(cleanup()).catch(() => undefined);
  }

  /**
   * Plans and sends (or queues) the calls for one scored reading; rejects when HA refuses a call.
   * Readings are handled one after another, so HA sees each entity's calls in arrival order (a
   * later, normal score never lands before an earlier alert's sensor update).
   */
  handle(input: unknown): Promise<AlertOutcome> {
    return this.inTurn(() => this.process(input));
  }

  /**
   * A meter_offline / meter_online message from the meter node. Not urgent: quiet hours hold the
   * push back and the cooldown applies per entity; the persistent notification and the event
   * always happen. "Back online" is pushed only where "offline" was (it replaces it on the phone).
   */
  handleMeterStatus(kind: MeterStatusKind, input: unknown): Promise<AlertOutcome> {
    return this.inTurn(() => this.processMeterStatus(kind, input));
  }

  private inTurn(task: () => Promise<AlertOutcome>): Promise<AlertOutcome> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async processMeterStatus(kind: MeterStatusKind, input: unknown): Promise<AlertOutcome> {
    const status = parseMeterStatus(kind, input);
    const entityId = status.entity_id;
    const now = this.now();
    const calls: HaCall[] = [];
    let push: AlertOutcome['push'];
    if (kind === meterOfflineTopic) {
      push = this.offlinePolicy.decide(entityId, 0, now);
      if (push.push) {
        calls.push(...meterStatusPushCalls(kind, status, this.options));
        this.offlinePolicy.recordSent(entityId, 0, now);
        this.offlineShown.add(entityId);
      }
    } else if (this.dropUnsentOffline(entityId)) {
      // HA could not show the "offline" (often HA itself was what went away): nothing to take back,
      // and no cooldown from a push that never went out
      this.offlineShown.delete(entityId);
      this.offlinePolicy.clear(entityId);
      push = { push: false, reason: 'offline-never-shown' };
    } else if (!this.offlineShown.has(entityId)) {
      push = { push: false, reason: 'offline-not-pushed' };
    } else {
      this.offlineShown.delete(entityId);
      push = this.offlinePolicy.decide(entityId, Infinity, now);
      // In quiet hours the "offline" notification is removed silently instead of a new sound.
      calls.push(...(push.push ? meterStatusPushCalls(kind, status, this.options) : meterStatusClearCalls(entityId, this.options)));
    }
    if (this.options.persistent !== false) calls.push(meterStatusPersistentCall(kind, status));
    if (this.options.event !== false) calls.push(meterStatusEventCall(kind, status));
    return this.deliver(entityId, calls, { entity_id: entityId, anomaly: false, kind, push, queued: false, calls: calls.length }, kind === meterOfflineTopic);
  }

  /** Takes an entity's queued "offline" notice out of the queue; true if there was one. */
  private dropUnsentOffline(entityId: string): boolean {
    const dropped = this.queue.remove((alert) => alert.entityId === entityId && alert.meterOffline === true);
    if (dropped.length > 0) this.options.onQueueChange?.(this.queue.size);
    return dropped.length > 0;
  }

  private async process(input: unknown): Promise<AlertOutcome> {
    const subject = parseScored(input);
    const now = this.now();
    const calls: HaCall[] = [];
    let push: AlertOutcome['push'] = { push: false, reason: 'normal' };
    if (subject.anomaly) {
      // the same interval's anomaly again (an at-least-once worker scored it twice): never a second push, event or notification
      const repeat = !this.dedup.firstTime(subject.entity_id, subject.ts);
      push = this.policy.decide(subject.entity_id, subject.score, now);
      if (push.push && repeat) push = { push: false, reason: 'duplicate' };
      if (push.push) {
        calls.push(...pushCalls(subject, this.options));
        this.policy.recordSent(subject.entity_id, subject.score, now);
      }
      if (this.options.persistent !== false && !repeat) calls.push(persistentCall(subject, this.options));
      if (this.options.event !== false && !repeat) calls.push(eventCall(subject));
      this.lastAnomaly.set(subject.entity_id, subject.ts);
    } else if (this.policy.hasActive(subject.entity_id)) {
      calls.push(...clearCalls(subject.entity_id, this.options));
      this.policy.clear(subject.entity_id);
    }
    if (this.options.sensor !== false) {
      const update = sensorCall(subject, this.lastAnomaly.get(subject.entity_id));
      if (this.sensorThrottle.offer(subject.entity_id, update, subject.anomaly)) calls.push(update);
    }
    return this.deliver(subject.entity_id, calls, { entity_id: subject.entity_id, anomaly: subject.anomaly, push, queued: false, calls: calls.length });
  }

  private sendHeldSensor(entityId: string, update: HaCall): void {
    const outcome: AlertOutcome = { entity_id: entityId, anomaly: false, push: { push: false, reason: 'normal' }, queued: false, calls: 1 };
    this.inTurn(() => this.deliver(entityId, [update], outcome)).catch((error: unknown) => {
      this.options.onWarn?.(`score sensor update for ${entityId} failed: ${errorMessage(error)}`);
    });
  }

  /** Sends the calls now, or queues them behind earlier ones / until Home Assistant is back. */
  private async deliver(entityId: string, calls: HaCall[], outcome: AlertOutcome, meterOffline = false): Promise<AlertOutcome> {
    if (calls.length === 0) return outcome;
    // Behind queued alerts (or a flush sending them) a new one waits its turn.
    if (!this.options.sink.connected || this.queue.size > 0 || this.flushing !== undefined) {
      this.enqueue({ entityId, calls, meterOffline });
      this.retryLater();
      return { ...outcome, queued: true };
    }
    const rest = await this.execute(calls);
    if (rest.length > 0) {
      // once part of it has gone out (the push is first), the phone may show it: no longer droppable
      this.enqueue({ entityId, calls: rest, meterOffline: meterOffline && rest.length === calls.length });
      this.retryLater();
      return { ...outcome, queued: true };
    }
    return outcome;
  }

  /** Sends what waited for HA; returns when the queue is empty or HA went away again. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.runFlush().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  private async runFlush(): Promise<void> {
    while (this.queue.size > 0 && this.options.sink.connected) {
      const pending = this.queue.drain();
      this.options.onQueueChange?.(0);
      for (let index = 0; index < pending.length; index += 1) {
        const alert = pending[index] as QueuedAlert;
        let rest: HaCall[];
        try {
          rest = await this.execute(alert.calls);
        } catch (error) {
          this.options.onWarn?.(`queued alert for ${alert.entityId} failed: ${errorMessage(error)}`);
          continue;
        }
        if (rest.length > 0) {
          this.queue.requeue([{ ...alert, calls: rest, meterOffline: alert.meterOffline === true && rest.length === alert.calls.length }, ...pending.slice(index + 1)]);
          this.options.onQueueChange?.(this.queue.size);
          this.retryLater();
          return;
        }
      }
    }
  }

  /**
   * A call can fail for want of Home Assistant while the websocket still looks connected (REST
   * timeout, a drop not noticed yet): then no reconnect will trigger a flush, so try again later.
   */
  private retryLater(): void {
    if (this.retryTimer || !this.options.sink.connected) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.options.retryMs ?? 5000);
    this.retryTimer.unref?.();
  }

  private enqueue(alert: QueuedAlert): void {
    this.queue.push(alert);
    this.options.onQueueChange?.(this.queue.size);
  }

  /** Runs calls in order; returns those not sent because the connection dropped; throws on a refused call. */
  private async execute(calls: readonly HaCall[]): Promise<HaCall[]> {
    for (let index = 0; index < calls.length; index += 1) {
      const call = calls[index] as HaCall;
      try {
        await this.send(call);
      } catch (error) {
        if (error instanceof HaConnectionError) return calls.slice(index);
        throw error;
      }
    }
    return [];
  }

  private async send(call: HaCall): Promise<void> {
    const sink = this.options.sink;
    if (call.kind === 'service') await sink.callService(call.domain, call.service, call.data);
    else if (call.kind === 'event') await sink.fireEvent(call.eventType, call.data);
    else await sink.setState(call.entityId, call.state, call.attributes);
  }
}
