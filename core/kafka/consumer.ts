import type { Consumer, EachMessagePayload, IHeaders } from 'kafkajs';
import type { KafkaClient } from './client';
import { Committer } from './committer';
import { toKafkaError, type KafkaError } from './errors';
import { InFlightLimit } from './in-flight-limit';
import { OffsetTracker } from './offset-tracker';
import { silentLogger, type ConsumedMessage, type KafkaLogger } from './types';

export type ConsumerEvent =
  | { type: 'connecting' }
  | { type: 'joined'; partitions: number }
  | { type: 'disconnected'; error?: KafkaError }
  | { type: 'failed'; error: KafkaError }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'committed'; partitions: number }
  | { type: 'commit-failed'; error: KafkaError };

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Most messages handed out and not yet finished (default 16). */
  maxInFlight?: number;
  sessionTimeoutMs?: number;
  /**
   * Receives each message; call `finish` once the message is completely handled (also when
   * it failed). Offsets are committed only up to messages finished together with all before them.
   */
  handle: (message: ConsumedMessage, finish: () => void) => void;
  onEvent?: (event: ConsumerEvent) => void;
  logger?: KafkaLogger;
  /** Back-off for retrying a connection that failed with a retriable error. */
  retryDelayMs?: { initial: number; max: number };
}

/** A consumer-group member with commit-after-done, a bounded in-flight count, pause and resume. */
export class GroupConsumer {
  private readonly consumer: Consumer;
  private readonly tracker = new OffsetTracker();
  private readonly limit: InFlightLimit;
  private readonly committer: Committer;
  private readonly logger: KafkaLogger;
  private stopping = false;
  private stopSignal: () => void = () => undefined;
  private readonly stopped: Promise<void>;
  private isPaused = false;
  private running = false;
  private disconnected = false;

  constructor(
    client: KafkaClient,
    private readonly options: GroupConsumerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.limit = new InFlightLimit(options.maxInFlight ?? 16);
    this.stopped = new Promise<void>((resolve) => {
      this.stopSignal = resolve;
    });
    this.consumer = client.kafkajs.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: true,
    });
    this.committer = new Committer(
      async (points) => {
        await this.consumer.commitOffsets(points);
        this.emit({ type: 'committed', partitions: points.length });
      },
      (error, points) => {
        const failure = toKafkaError(error);
        this.logger.warn(`commit of ${points.map((p) => `${p.topic}[${p.partition}]@${p.offset}`).join(', ')} failed: ${failure.message}`);
        this.emit({ type: 'commit-failed', error: failure });
      },
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.tracker.reset();
      this.committer.clear();
      const assigned = Object.values(event.payload.memberAssignment).reduce((sum, partitions) => sum + partitions.length, 0);
      this.emit({ type: 'joined', partitions: assigned });
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const failure = toKafkaError(event.payload.error);
      this.emit(event.payload.restart ? { type: 'disconnected', error: failure } : { type: 'failed', error: failure });
    });
  }

  get inFlight(): number {
    return this.limit.inFlight;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Connects, subscribes and starts consuming; retries retriable failures until stopped. */
  async start(): Promise<void> {
    let delay = this.options.retryDelayMs?.initial ?? 500;
    const maxDelay = this.options.retryDelayMs?.max ?? 10000;
    while (!this.stopping) {
      this.emit({ type: 'connecting' });
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
        await this.consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 1, eachMessage: (payload) => this.onMessage(payload) });
        this.running = true;
        if (this.isPaused) this.applyPause();
        return;
      } catch (error) {
        const failure = toKafkaError(error);
        await this.consumer.disconnect().catch(() => undefined);
        if (!failure.retriable) {
          this.emit({ type: 'failed', error: failure });
          throw failure;
        }
        this.emit({ type: 'disconnected', error: failure });
        await Promise.race([new Promise((resolve) => setTimeout(resolve, delay)), this.stopped]);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  pause(): void {
    this.isPaused = true;
    if (this.running) this.applyPause();
    this.emit({ type: 'paused' });
  }

  resume(): void {
    this.isPaused = false;
    if (this.running) this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
    this.emit({ type: 'resumed' });
  }

  /** Commits what is finished and leaves the group; unfinished messages are redelivered later. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal();
    this.limit.wakeAll();
    await this.committer.flush();
    await this.consumer.disconnect().catch((error: unknown) => this.logger.warn(`disconnect: ${toKafkaError(error).message}`));
    this.disconnected = true;
    this.running = false;
  }

  private applyPause(): void {
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  private async onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    if (!(await this.takeSlot(heartbeat))) return;
    const ticket = this.tracker.begin(topic, partition, message.offset);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.limit.release();
      const point = this.tracker.finish(ticket);
      if (point && !this.disconnected) this.committer.add(point);
    };
    const consumed: ConsumedMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      headers: headersAsStrings(message.headers),
      timestamp: message.timestamp,
    };
    try {
      this.options.handle(consumed, finish);
    } catch (error) {
      this.logger.error(`message handler threw for ${topic}[${partition}]@${message.offset}: ${(error as Error).message}`);
      finish();
    }
  }

  /** Waits for a free in-flight slot, heartbeating so the group keeps this member; false when stopping. */
  private async takeSlot(heartbeat: () => Promise<void>): Promise<boolean> {
    while (!this.stopping) {
      const beat = new Promise((resolve) => setTimeout(resolve, 2000));
      if (await this.limit.acquire(Promise.race([beat, this.stopped]))) {
        if (!this.stopping) return true;
        this.limit.release();
        return false;
      }
      if (!this.stopping) await heartbeat();
    }
    return false;
  }

  private emit(event: ConsumerEvent): void {
    this.options.onEvent?.(event);
  }
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}
