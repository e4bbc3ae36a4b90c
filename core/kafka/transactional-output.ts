/**
 * Exactly-once output: the records a consumed message produced and the input offset past it
 * are committed in ONE Kafka transaction, so after a crash either both are there or neither.
 *
 * Messages are staged as they are handled (their records kept here, unsent) and then finished,
 * which moves the consumer's commit points; each transaction takes the newest commit point of
 * every partition and exactly the staged records of the messages before it. Records of messages
 * past a commit point wait for a later transaction, so no record is ever committed without its
 * offset, nor an offset without its records.
 */
import { backoffDelay, sleep } from '../retry';
import { KafkaError, toKafkaError } from './errors';
import type { CommitPoint } from './offset-tracker';
import type { ProduceRecord } from './types';

/** The sending half: kafkajs's transactional producer behind three methods. */
export interface TransactionTransport {
  /** Initialises the transactional id (fencing an older producer with the same id). */
  connect(): Promise<void>;
  /** One transaction: the records, then the offsets (sendOffsets), commit; aborted and thrown on any failure. */
  commit(records: readonly ProduceRecord[], offsets: readonly CommitPoint[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Where staged records came from: the last consumed message they belong to. */
export interface StagedOrigin {
  topic: string;
  partition: number;
  offset: string;
  /** The consumer-group generation the message was consumed in (see `rebalanced`). */
  generation?: number;
}

export interface TransactionalOutputOptions {
  /** Time a commit point waits for others to join its transaction (default 100 ms). */
  lingerMs?: number;
  retryDelayMs?: { initial: number; max: number };
  /** A transaction failed and will be retried with the same content. */
  onRetry?: (error: KafkaError, attempt: number) => void;
  /** A transaction failed for good (e.g. fenced by another producer with this transactional id). */
  onFatal?: (error: KafkaError) => void;
  /**
   * Compacted topics, where only a key's newest record counts (the series-state changelog): a
   * transaction carries only the newest record of each key and partition of these, not one per
   * message (a series' every checkpoint since the last transaction).
   */
  compactedTopics?: readonly string[];
}

export interface TransactionCounters {
  transactions: number;
  records: number;
  retries: number;
}

interface Staged {
  offset: bigint;
  generation: number | undefined;
  records: readonly ProduceRecord[];
  waiter: Waiter;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

// a record the broker will never take (too large) fails every retry of the same transaction too
const fencedErrors = /fence|old epoch|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|TRANSACTIONAL_ID_AUTHORIZATION_FAILED|INVALID_TRANSACTION_TIMEOUT|UNSUPPORTED_VERSION|UNSUPPORTED_FOR_MESSAGE_FORMAT|MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|larger than the max message size/i;

/** Errors after which this producer can never commit again. */
export function isFatalTransactionError(error: KafkaError): boolean {
  return error.kind === 'auth' || error.kind === 'config' || fencedErrors.test(error.message) || fencedErrors.test(String((error.cause as { type?: string } | undefined)?.type ?? ''));
}

export class TransactionalOutput {
  private readonly staged = new Map<string, Staged[]>();
  private readonly offsets = new Map<string, { point: CommitPoint; waiters: Waiter[] }>();
  private generation: number | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly stopRetrying = new AbortController();
  private failure: KafkaError | undefined;
  readonly counters: TransactionCounters = { transactions: 0, records: 0, retries: 0 };

  constructor(
    private readonly transport: TransactionTransport,
    private readonly options: TransactionalOutputOptions = {},
  ) {}

  /** The error that ended this output, if one did. */
  get failed(): KafkaError | undefined {
    return this.failure;
  }

  /** Records staged and not yet committed. */
  get pendingRecords(): number {
    let count = 0;
    for (const list of this.staged.values()) for (const entry of list) count += entry.records.length;
    return count;
  }

  async connect(): Promise<void> {
    try {
      await this.transport.connect();
    } catch (error) {
      throw toKafkaError(error);
    }
  }

  /**
   * Keeps the records of the messages up to `origin` for the transaction that commits an offset
   * past it; resolves once that transaction committed. Call before finishing those messages.
   * Records of a generation before the current one are dropped (resolving at once): their
   * messages are consumed again from the committed offset.
   */
  stage(origin: StagedOrigin, records: readonly ProduceRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new KafkaError('the transactional producer is closed', 'closed', false));
    if (origin.generation !== undefined && this.generation !== undefined && origin.generation < this.generation) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const key = partitionKey(origin.topic, origin.partition);
      const list = this.staged.get(key) ?? [];
      list.push({ offset: BigInt(origin.offset), generation: origin.generation, records, waiter: { resolve, reject } });
      this.staged.set(key, list);
    });
  }

  /** The consumer's commit: the points join the next transaction; resolves once it committed. */
  commitOffsets(points: readonly CommitPoint[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (points.length === 0) return Promise.resolve();
    const committed = Promise.all(
      points.map(
        (point) =>
          new Promise<void>((resolve, reject) => {
            const key = partitionKey(point.topic, point.partition);
            const entry = this.offsets.get(key);
            if (entry && BigInt(entry.point.offset) >= BigInt(point.offset)) entry.waiters.push({ resolve, reject });
            else this.offsets.set(key, { point, waiters: [...(entry?.waiters ?? []), { resolve, reject }] });
          }),
      ),
    ).then(() => undefined);
    this.schedule();
    return committed;
  }

  /**
   * The consumer rejoined its group: messages are consumed again from the committed offsets, so
   * what was staged or waiting for a transaction (and not yet in one) is dropped.
   */
  rebalanced(generation: number): void {
    this.generation = generation;
    for (const list of this.staged.values()) for (const entry of list) entry.waiter.resolve();
    this.staged.clear();
    for (const { waiters } of this.offsets.values()) for (const waiter of waiters) waiter.resolve();
    this.offsets.clear();
  }

  /** Commits what can be committed (retrying until `giveUp` aborts), then disconnects; what is left stays uncommitted. */
  async close(giveUp?: AbortSignal): Promise<void> {
    giveUp?.addEventListener('abort', () => this.stopRetrying.abort(), { once: true });
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
    this.closing = true;
    this.stopRetrying.abort();
    const left = new KafkaError('stopped before its transaction committed (left uncommitted)', 'closed', false);
    for (const list of this.staged.values()) for (const entry of list) entry.waiter.reject(left);
    this.staged.clear();
    for (const { waiters } of this.offsets.values()) for (const waiter of waiters) waiter.reject(left);
    this.offsets.clear();
    await this.transport.disconnect().catch(() => undefined);
  }

  private schedule(): void {
    if (this.timer || this.running || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.options.lingerMs ?? 100);
  }

  private drain(): Promise<void> {
    this.running ??= this.runTransactions().finally(() => {
      this.running = undefined;
      if (this.offsets.size > 0 && !this.failure) this.schedule();
    });
    return this.running;
  }

  private async runTransactions(): Promise<void> {
    while (this.offsets.size > 0 && !this.failure) {
      const { records, points, waiters } = this.takeTransaction();
      const ok = await this.commitRetrying(records, points);
      if (ok === true) {
        this.counters.transactions += 1;
        this.counters.records += records.length;
        for (const waiter of waiters) waiter.resolve();
      } else {
        for (const waiter of waiters) waiter.reject(ok);
        if (isFatalTransactionError(ok)) this.fail(ok);
        return;
      }
    }
  }

  /** The newest commit point of each partition and the staged records of the messages before it. */
  private takeTransaction(): { records: ProduceRecord[]; points: CommitPoint[]; waiters: Waiter[] } {
    const records: ProduceRecord[] = [];
    const points: CommitPoint[] = [];
    const waiters: Waiter[] = [];
    for (const [key, { point, waiters: offsetWaiters }] of this.offsets) {
      points.push(point);
      waiters.push(...offsetWaiters);
      const list = this.staged.get(key) ?? [];
      const end = BigInt(point.offset);
      let taken = 0;
      while (taken < list.length && (list[taken] as Staged).offset < end) taken += 1;
      for (const entry of list.splice(0, taken)) {
        if (entry.generation !== undefined && this.generation !== undefined && entry.generation < this.generation) {
          entry.waiter.resolve();
          continue;
        }
        records.push(...entry.records);
        waiters.push(entry.waiter);
      }
      if (list.length === 0) this.staged.delete(key);
    }
    this.offsets.clear();
    return { records: this.newestOfCompacted(records), points, waiters };
  }

  private newestOfCompacted(records: ProduceRecord[]): ProduceRecord[] {
    const topics = this.options.compactedTopics ?? [];
    if (topics.length === 0) return records;
    const newest = new Map<string, number>();
    records.forEach((record, index) => {
      if (topics.includes(record.topic)) newest.set(compactionKey(record), index);
    });
    return records.filter((record, index) => !topics.includes(record.topic) || newest.get(compactionKey(record)) === index);
  }

  /** True once committed; the error when it failed for good or the output is closing. */
  private async commitRetrying(records: readonly ProduceRecord[], points: readonly CommitPoint[]): Promise<true | KafkaError> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.transport.commit(records, points);
        return true;
      } catch (error) {
        const failure = toKafkaError(error);
        if (isFatalTransactionError(failure) || this.stopRetrying.signal.aborted) return failure;
        this.counters.retries += 1;
        this.options.onRetry?.(failure, attempt);
        const delay = this.options.retryDelayMs ?? { initial: 250, max: 5000 };
        if (!(await sleep(backoffDelay(attempt, { initialMs: delay.initial, maxMs: delay.max }), this.stopRetrying.signal))) return failure;
      }
    }
  }

  private fail(error: KafkaError): void {
    this.failure = error;
    for (const list of this.staged.values()) for (const entry of list) entry.waiter.reject(error);
    this.staged.clear();
    for (const { waiters } of this.offsets.values()) for (const waiter of waiters) waiter.reject(error);
    this.offsets.clear();
    this.options.onFatal?.(error);
  }
}

function compactionKey(record: ProduceRecord): string {
  const key = Buffer.isBuffer(record.key) ? record.key.toString('latin1') : (record.key ?? '');
  return `${record.topic}\u0000${record.partition ?? ''}\u0000${key}`;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
