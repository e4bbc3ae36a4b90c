import type { ConsumedMessage, Delivery, ProduceRecord } from '../kafka/types';
import { parseReading, type Reading } from '../reading';
import { anomalyRecord } from './anomaly-record';
import type { ReadingScorer } from './scorer';

/** Where scored readings and anomalies go (a BufferedProducer in the worker). */
export interface RecordSink {
  send(record: ProduceRecord): Promise<Delivery>;
}

export interface PipelineOptions {
  /** Turns a message value into a reading or seed record (e.g. ValueCodec auto-detection). */
  decode: (bytes: Buffer) => Promise<unknown>;
  scorer: ReadingScorer;
  sink: RecordSink;
  outTopic: string;
  anomaliesTopic?: string;
  /** A message that is not a reading or could not be scored: it is skipped and committed past. */
  onRejected?: (message: ConsumedMessage, error: Error) => void;
  /**
   * The broker did not take a result (producer closed or its buffer full): the message is left
   * uncommitted, so it is consumed again after a restart; the worker should stop.
   */
  onUnsent?: (message: ConsumedMessage, error: Error) => void;
}

export interface PipelineCounters {
  consumed: number;
  scored: number;
  anomalies: number;
  rejected: number;
  unsent: number;
  inFlight: number;
}

/**
 * One consumed message at a time through decode → score → produce. Messages of one series are
 * chained, so each meter is scored and produced in the order it was consumed, while different
 * meters proceed side by side. `finish` (the consumer's commit-after-done) is called only once
 * the scored reading and its anomaly record are acknowledged by the broker.
 */
export class ScoringPipeline {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly counters: PipelineCounters = { consumed: 0, scored: 0, anomalies: 0, rejected: 0, unsent: 0, inFlight: 0 };
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: PipelineOptions) {}

  get stats(): PipelineCounters {
    return { ...this.counters };
  }

  handle(message: ConsumedMessage, finish: () => void): void {
    this.counters.consumed += 1;
    this.counters.inFlight += 1;
    // Messages are chained by key (the producer keys readings by entity id) before decoding,
    // so decoding, which may await the registry, cannot reorder a series.
    const series = message.key?.toString('utf8') ?? `${message.topic}/${message.partition}`;
    const previous = this.chains.get(series) ?? Promise.resolve();
    const next = previous.then(async () => {
      const handled = await this.process(message);
      this.counters.inFlight -= 1;
      if (handled) finish();
      if (this.chains.get(series) === next) this.chains.delete(series);
      if (this.counters.inFlight === 0) this.wakeIdle();
    });
    this.chains.set(series, next);
  }

  /** Resolves when no message is being processed. */
  idle(): Promise<void> {
    if (this.counters.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** False when the message must stay uncommitted. */
  private async process(message: ConsumedMessage): Promise<boolean> {
    const { decode, scorer, sink, outTopic, anomaliesTopic } = this.options;
    let scored;
    try {
      if (!message.value) throw new Error('empty message value');
      const reading: Reading = parseReading(await decode(message.value), { now: new Date(Number(message.timestamp) || Date.now()) });
      scored = await scorer.score(reading);
    } catch (error) {
      this.counters.rejected += 1;
      this.options.onRejected?.(message, error instanceof Error ? error : new Error(String(error)));
      return true;
    }
    try {
      const deliveries = [sink.send({ topic: outTopic, key: scored.entity_id, value: Buffer.from(JSON.stringify(scored)) })];
      if (scored.anomaly && anomaliesTopic) {
        deliveries.push(sink.send({ topic: anomaliesTopic, key: scored.entity_id, value: Buffer.from(JSON.stringify(anomalyRecord(scored))) }));
      }
      await Promise.all(deliveries);
      this.counters.scored += 1;
      if (scored.anomaly) this.counters.anomalies += 1;
      return true;
    } catch (error) {
      this.counters.unsent += 1;
      this.options.onUnsent?.(message, error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }
}
