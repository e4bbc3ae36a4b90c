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
    // so decoding, which may await the registry, cannot reorder a series. The chain moves on
    // once a result is handed to the producer (which keeps acceptance order); the broker's
    // acknowledgement is awaited outside it.
    const series = message.key?.toString('utf8') ?? `${message.topic}/${message.partition}`;
    const previous = this.chains.get(series) ?? Promise.resolve();
    const handedOver = previous.then(() => this.scoreAndSend(message));
    const next = handedOver.then(() => undefined);
    this.chains.set(series, next);
    void next.then(() => {
      if (this.chains.get(series) === next) this.chains.delete(series);
    });
    void handedOver
      .then((handover) => handover.delivered)
      .then((handled) => {
        this.counters.inFlight -= 1;
        if (handled) finish();
        if (this.counters.inFlight === 0) this.wakeIdle();
      });
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

  /**
   * Scores the message and hands its results to the sink; resolves once handed over, with a
   * promise of whether the message may be committed (wrapped, so awaiting does not wait for it).
   */
  private async scoreAndSend(message: ConsumedMessage): Promise<{ delivered: Promise<boolean> }> {
    const { decode, scorer, sink, outTopic, anomaliesTopic } = this.options;
    let scored;
    try {
      if (!message.value) throw new Error('empty message value');
      const reading: Reading = parseReading(await decode(message.value), { now: new Date(Number(message.timestamp) || Date.now()) });
      scored = await scorer.score(reading);
    } catch (error) {
      this.counters.rejected += 1;
      this.options.onRejected?.(message, error instanceof Error ? error : new Error(String(error)));
      return { delivered: Promise.resolve(true) };
    }
    const deliveries = [sink.send({ topic: outTopic, key: scored.entity_id, value: Buffer.from(JSON.stringify(scored)) })];
    if (scored.anomaly && anomaliesTopic) {
      deliveries.push(sink.send({ topic: anomaliesTopic, key: scored.entity_id, value: Buffer.from(JSON.stringify(anomalyRecord(scored))) }));
    }
    const anomaly = scored.anomaly;
    const delivered = Promise.all(deliveries).then(
      () => {
        this.counters.scored += 1;
        if (anomaly) this.counters.anomalies += 1;
        return true;
      },
      (error: unknown) => {
        this.counters.unsent += 1;
        this.options.onUnsent?.(message, error instanceof Error ? error : new Error(String(error)));
        return false;
      },
    );
    return { delivered };
  }
}
