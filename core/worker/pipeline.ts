import { encodeJson } from '../avro/codec';
import { asError } from '../errors';
import type { ConsumedMessage, Delivery, InFlightMessage, ProduceRecord } from '../kafka/types';
import { parseReading, type Reading, type ScoredReading } from '../reading';
import type { BackoffOptions } from '../retry';
import type { DeadLetterSink } from '../stream/dead-letters';
import { StreamPipeline, type DecodedMessage, type StreamPipelineOptions } from '../stream/pipeline';
import { anomalyRecord } from './anomaly-record';
import type { ReadingScorer } from './scorer';

/** Where scored readings and anomalies go (a BufferedProducer in the worker). */
export interface RecordSink {
  /** Resolves once the broker acknowledged every record. */
  sendAll(records: readonly ProduceRecord[]): Promise<Delivery[]>;
}

export interface PipelineOptions {
  decode: StreamPipelineOptions['decode'];
  scorer: ReadingScorer;
  sink: RecordSink;
  outTopic: string;
  anomaliesTopic?: string;
  /** Gets what is not a reading or could not be scored (and what can never be decoded). */
  deadLetters?: DeadLetterSink;
  /** A message that is not a reading or could not be scored: dead-lettered (if so configured) and committed past. */
  onRejected?: (message: ConsumedMessage, error: Error) => void;
  /** Decoding waits for the schema registry: nothing is committed past the message meanwhile. */
  onDecodeRetry?: (message: ConsumedMessage, error: Error, attempt: number, delayMs: number) => void;
  /**
   * The broker did not take a result (producer closed or its buffer full): the message is left
   * uncommitted, so it is consumed again after a restart; the worker should stop.
   */
  onUnsent?: (message: ConsumedMessage, error: Error) => void;
  onDeadLetterFailed?: (message: ConsumedMessage, error: Error) => void;
  retry?: BackoffOptions;
  /** Learned state kept in a changelog: restored before a partition's first reading, checkpointed after each run. */
  state?: SeriesStateHooks;
  /**
   * Exactly-once: results (and the series' checkpoint) are staged in the transaction that
   * commits the input offsets; the messages are finished as soon as they are staged.
   */
  transaction?: TransactionalSink;
}

/** The exactly-once output (core/kafka/transactional-output.ts). */
export interface TransactionalSink {
  /** Keeps the records of the messages up to `origin` for the transaction that commits past it; resolves once it committed. */
  stage(origin: ConsumedMessage, records: readonly ProduceRecord[]): Promise<void>;
}

export interface SeriesStateHooks {
  /** Resolves once the partition's series state is restored (at once when it already is). */
  prepare(partition: number): Promise<void>;
  /** Checkpoints the series after its run's results were acknowledged, before they are committed. */
  checkpoint(partition: number, entityId: string): Promise<void>;
  /** The series' checkpoint as a changelog record, for a transaction to carry (exactly-once). */
  checkpointRecord?(partition: number, entityId: string): ProduceRecord | null;
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
 * The worker: the stream pipeline (decode, per-series order, dead letters) with a handler that
 * scores each series' run and produces the scored readings (+ anomaly records). A message is
 * finished (the consumer's commit-after-done) only once the broker acknowledged its results.
 */
export class ScoringPipeline {
  private readonly stream: StreamPipeline;
  private scored = 0;
  private anomalies = 0;
  private unsent = 0;

  constructor(private readonly options: PipelineOptions) {
    this.stream = new StreamPipeline({
      decode: options.decode,
      handle: (run) => this.scoreAndSend(run),
      deadLetters: options.deadLetters,
      onRejected: options.onRejected,
      onDecodeRetry: options.onDecodeRetry,
      onDeadLetterFailed: options.onDeadLetterFailed,
      onHandlerError: (run, error) => {
        for (const item of run) item.reject(error);
      },
      retry: options.retry,
    });
  }

  get stats(): PipelineCounters {
    const stream = this.stream.stats;
    return { consumed: stream.consumed, scored: this.scored, anomalies: this.anomalies, rejected: stream.rejected, unsent: this.unsent, inFlight: stream.inFlight };
  }

  /** GroupConsumer's `handleBatch`. */
  readonly handleBatch = (messages: InFlightMessage[]): void => this.stream.handleBatch(messages);

  /** Resolves when no message is being processed. */
  idle(): Promise<void> {
    return this.stream.idle();
  }

  /** Stops waiting for the registry; messages still waiting stay uncommitted. */
  close(): void {
    this.stream.close();
  }

  /** Resolves once the run's results are handed to the sink (which keeps their order); their delivery is awaited outside. */
  private async scoreAndSend(run: DecodedMessage[]): Promise<void> {
    const items: DecodedMessage[] = [];
    const readings: Reading[] = [];
    for (const item of run) {
      try {
        readings.push(parseReading(item.decoded.value, { now: new Date(Number(item.message.timestamp) || Date.now()) }));
        items.push(item);
      } catch (error) {
        item.reject(asError(error));
      }
    }
    const partition = (run[0] as DecodedMessage).message.partition;
    if (this.options.state && readings.length > 0) await this.options.state.prepare(partition);
    const results = await this.scoreRun(readings);
    const records: ProduceRecord[] = [];
    const sent: DecodedMessage[] = [];
    let anomalies = 0;
    results.forEach((result, index) => {
      const item = items[index] as DecodedMessage;
      if (result instanceof Error) {
        item.reject(result);
        return;
      }
      sent.push(item);
      records.push({ topic: this.options.outTopic, key: result.entity_id, value: encodeJson(result) });
      if (result.anomaly) {
        anomalies += 1;
        if (this.options.anomaliesTopic) records.push({ topic: this.options.anomaliesTopic, key: result.entity_id, value: encodeJson(anomalyRecord(result)) });
      }
    });
    if (sent.length === 0) return;
    const entityId = (readings[0] as Reading).entity_id;
    const state = this.options.state;
    if (this.options.transaction) {
      this.stageInTransaction(this.options.transaction, sent, records, anomalies, state?.checkpointRecord?.(partition, entityId) ?? null);
      return;
    }
    this.options.sink.sendAll(records).then(
      async () => {
        if (state) await state.checkpoint(partition, entityId);
        this.scored += sent.length;
        this.anomalies += anomalies;
        for (const item of sent) item.finish();
      },
      (error: unknown) => {
        this.unsent += sent.length;
        for (const item of sent) {
          this.options.onUnsent?.(item.message, asError(error));
          item.leave();
        }
      },
    );
  }

  private stageInTransaction(transaction: TransactionalSink, sent: DecodedMessage[], records: ProduceRecord[], anomalies: number, checkpoint: ProduceRecord | null): void {
    if (checkpoint) records.push(checkpoint);
    const committed = transaction.stage((sent[sent.length - 1] as DecodedMessage).message, records);
    for (const item of sent) item.finish();
    committed.then(
      () => {
        this.scored += sent.length;
        this.anomalies += anomalies;
      },
      (error: unknown) => {
        this.unsent += sent.length;
        // one line for the run: its messages are all uncommitted (their offsets were in the same transaction)
        this.options.onUnsent?.((sent[sent.length - 1] as DecodedMessage).message, asError(error));
      },
    );
  }

  /** Scores in order; a reading the scorer refused comes back as its error. */
  private async scoreRun(readings: Reading[]): Promise<(ScoredReading | Error)[]> {
    const { scorer } = this.options;
    if (readings.length === 0) return [];
    if (scorer.scoreRun) {
      try {
        return await scorer.scoreRun(readings);
      } catch (error) {
        return readings.map(() => asError(error));
      }
    }
    const results: (ScoredReading | Error)[] = [];
    for (const reading of readings) results.push(await scorer.score(reading).catch(asError));
    return results;
  }
}
