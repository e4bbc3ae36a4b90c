import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import { retry } from '../retry';
import type { KafkaClient } from './client';
import { Committer } from './committer';
import { toKafkaError, type KafkaError } from './errors';
import { InFlightLimit } from './in-flight-limit';
import { OffsetTracker, type CommitPoint } from './offset-tracker';
import { silentLogger, type ConsumedMessage, type InFlightMessage, type KafkaLogger } from './types';

export type ConsumerEvent =
  | { type: 'connecting' }
  | { type: 'joined'; partitions: number; generation: number }
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
   * Receives the messages of a partition in offset order, as many at a time as the in-flight
   * limit lets out of a fetched batch; call each one's `finish` once it is completely handled
   * (also when it failed). Offsets are committed only up to messages finished together with all
   * before them.
   */
  handleBatch?: (messages: InFlightMessage[]) => void;
  /** One message at a time instead (when `handleBatch` is not given). */
  handle?: (message: ConsumedMessage, finish: () => void) => void;
  onEvent?: (event: ConsumerEvent) => void;
  logger?: KafkaLogger;
  /**
   * Read only committed records of transactional producers (Kafka's read_committed; default
   * true): an aborted transaction's records are never delivered, an open one's not yet.
   */
  readCommitted?: boolean;
  /**
   * Commits the offsets past finished messages (default: the group's offset commit). The
   * exactly-once worker commits them in its output transaction instead.
   */
  commitOffsets?: (points: CommitPoint[]) => Promise<void>;
  /** Back-off for retrying a connection that failed with a retriable error (core/retry.ts defaults). */
  retryDelayMs?: { initial: number; max: number };
}

/** A consumer-group member with commit-after-done, a bounded in-flight count, pause and resume. */
export class GroupConsumer {
  private readonly consumer: Consumer;
  private readonly tracker = new OffsetTracker();
  private readonly limit: InFlightLimit;
  private readonly committer: Committer;
  private readonly logger: KafkaLogger;
  private readonly handleBatch: (messages: InFlightMessage[]) => void;
  private stopping = false;
  private readonly abort = new AbortController();
  private isPaused = false;
  private running = false;
  private disconnected = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: GroupConsumerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.limit = new InFlightLimit(options.maxInFlight ?? 16);
    const handle = options.handle;
    this.handleBatch = options.handleBatch ?? ((messages) => messages.forEach((item) => handle?.(item.message, item.finish)));
    this.consumer = client.kafkajs.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: true,
      readUncommitted: !(options.readCommitted ?? true),
    });
    const commitOffsets = options.commitOffsets ?? ((points: CommitPoint[]) => this.consumer.commitOffsets(points));
    this.committer = new Committer(
      async (points) => {
        await commitOffsets(points);
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
      this.emit({ type: 'joined', partitions: assigned, generation: this.tracker.currentGeneration });
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
    try {
      await retry(
        async () => {
          this.emit({ type: 'connecting' });
          try {
            await this.client.verifyTls();
            await this.consumer.connect();
            await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
            await this.consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 1, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
          } catch (error) {
            await this.consumer.disconnect().catch(() => undefined);
            throw toKafkaError(error);
          }
        },
        {
          signal: this.abort.signal,
          initialMs: this.options.retryDelayMs?.initial,
          maxMs: this.options.retryDelayMs?.max,
          onRetry: (error) => this.emit({ type: 'disconnected', error: toKafkaError(error) }),
        },
      );
    } catch (error) {
      if (this.stopping) return;
      const failure = toKafkaError(error);
      this.emit({ type: 'failed', error: failure });
      throw failure;
    }
    this.running = true;
    if (this.isPaused) this.applyPause();
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
    this.abort.abort();
    this.limit.wakeAll();
    await this.committer.flush();
    await this.consumer.disconnect().catch((error: unknown) => this.logger.warn(`disconnect: ${toKafkaError(error).message}`));
    this.disconnected = true;
    this.running = false;
  }

  private applyPause(): void {
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  /**
   * Hands the batch out in chunks of as many messages as there are free in-flight slots. What is
   * not handed out (stopping, paused, rebalanced) is left unresolved, so kafkajs fetches it again.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    let next = 0;
    while (next < messages.length) {
      if (!(await this.takeSlot(heartbeat))) return;
      if (this.isPaused || !isRunning() || isStale()) {
        this.limit.release();
        return;
      }
      const chunk: InFlightMessage[] = [];
      do chunk.push(this.begin(topic, partition, messages[next++] as KafkaMessage));
      while (next < messages.length && this.limit.tryAcquire());
      resolveOffset((messages[next - 1] as KafkaMessage).offset);
      try {
        this.handleBatch(chunk);
      } catch (error) {
        this.logger.error(`message handler threw for ${topic}[${partition}]@${chunk[0]?.message.offset}..: ${toKafkaError(error).message}`);
        for (const item of chunk) item.finish();
      }
      await heartbeat();
    }
  }

  private begin(topic: string, partition: number, message: KafkaMessage): InFlightMessage {
    const ticket = this.tracker.begin(topic, partition, message.offset);
    let finished = false;
    return {
      message: {
        topic,
        partition,
        offset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        headers: headersAsStrings(message.headers),
        timestamp: message.timestamp,
        generation: ticket.generation,
      },
      finish: () => {
        if (finished) return;
        finished = true;
        this.limit.release();
        const point = this.tracker.finish(ticket);
        if (point && !this.disconnected) this.committer.add(point);
      },
    };
  }

  /** Waits for a free in-flight slot, heartbeating so the group keeps this member; false when stopping. */
  private async takeSlot(heartbeat: () => Promise<void>): Promise<boolean> {
    while (!this.stopping) {
      const beat = beatOrAbort(2000, this.abort.signal);
      let taken: boolean;
      try {
        taken = await this.limit.acquire(beat.over);
      } finally {
        beat.cancel();
      }
      if (taken) {
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

/**
 * Resolves `over` after `ms` or when `signal` aborts; `cancel` clears the timer and the listener.
 * One per slot taken, so nothing may outlive it: racing a promise that stays pending until the
 * consumer stops (as this once did) kept every race's reaction, some 300 bytes a batch.
 */
function beatOrAbort(ms: number, signal: AbortSignal): { over: Promise<void>; cancel: () => void } {
  let cancel: () => void = () => undefined;
  const over = new Promise<void>((resolve) => {
    const end = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', end);
      resolve();
    };
    const timer = setTimeout(end, ms);
    signal.addEventListener('abort', end, { once: true });
    if (signal.aborted) end();
    cancel = end;
  });
  return { over, cancel };
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}
