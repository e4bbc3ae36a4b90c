/**
 * The worker's side of the changelog: each input partition's series state is read back before
 * the partition's first reading after a (re)assignment, and each series is checkpointed after
 * its results are acknowledged, so a partition moving to another worker takes its memory along.
 */
import type { Kafka } from 'kafkajs';
import type { ProduceRecord } from '../kafka/types';
import { retry } from '../retry';
import type { ChangelogStore } from '../state/changelog-store';
import { decodeState, encodeState } from '../state/series-state';
import type { SeriesStateHooks } from './pipeline';
import type { ReadingScorer } from './scorer';
import { readChangelog } from '../state/changelog-reader';

export interface StateCounters {
  restoredSeries: number;
  restoreMs: number;
  checkpoints: number;
  checkpointBytes: number;
}

export class WorkerSeriesState implements SeriesStateHooks {
  private restored = new Map<number, Promise<void>>();
  readonly counters: StateCounters = { restoredSeries: 0, restoreMs: 0, checkpoints: 0, checkpointBytes: 0 };

  constructor(
    private readonly store: ChangelogStore,
    private readonly scorer: ReadingScorer,
    private readonly signal: AbortSignal,
    private readonly log: (line: string) => void,
    /** Exactly-once: checkpoints travel in the output transactions, so the changelog is read as read_committed up to its markers. */
    private readonly transactional?: Kafka,
  ) {}

  /** A new assignment: every partition's state is read again before its next reading. */
  assigned(): void {
    this.restored = new Map();
  }

  prepare(partition: number): Promise<void> {
    let pending = this.restored.get(partition);
    if (!pending) {
      pending = this.restore(partition);
      this.restored.set(partition, pending);
    }
    return pending;
  }

  private async restore(partition: number): Promise<void> {
    const started = Date.now();
    const read = async (): Promise<Map<string, Buffer>> => {
      if (!this.transactional) return this.store.readPartitions([partition]);
      await this.store.open();
      return readChangelog(this.transactional, this.store.topic, [partition], true);
    };
    const states = await retry(read, {
      signal: this.signal,
      shouldRetry: () => true,
      onRetry: (error) => this.log(`worker: reading ${this.store.topic}[${partition}] failed (${String(error)}); retrying before scoring that partition`),
    });
    let count = 0;
    for (const [entityId, bytes] of states) {
      try {
        this.scorer.restore?.(decodeState(bytes));
        count += 1;
      } catch (error) {
        this.log(`worker: state of ${entityId} in ${this.store.topic}[${partition}] not restored: ${(error as Error).message}`);
      }
    }
    const ms = Date.now() - started;
    this.counters.restoredSeries += count;
    this.counters.restoreMs += ms;
    if (count > 0) this.log(`worker: restored ${count} series of partition ${partition} from ${this.store.topic} in ${ms} ms`);
  }

  checkpointRecord(partition: number, entityId: string): ProduceRecord | null {
    const state = this.scorer.snapshot?.(entityId);
    if (!state) return null;
    const value = encodeState(state);
    this.counters.checkpoints += 1;
    this.counters.checkpointBytes += value.length;
    return { topic: this.store.topic, partition, key: entityId, value };
  }

  async checkpoint(partition: number, entityId: string): Promise<void> {
    const state = this.scorer.snapshot?.(entityId);
    if (!state) return;
    const value = encodeState(state);
    try {
      await this.store.write([{ partition, key: entityId, value }]);
      this.counters.checkpoints += 1;
      this.counters.checkpointBytes += value.length;
    } catch (error) {
      this.log(`worker: checkpoint of ${entityId} to ${this.store.topic} failed: ${(error as Error).message}`);
    }
  }
}
