import type { DecodedValue } from '../avro/codec';
import { asError, isRetriable } from '../errors';
import type { ConsumedMessage, InFlightMessage } from '../kafka/types';
import { retry, type BackoffOptions } from '../retry';
import { deadLetterRecord, type DeadLetterSink } from './dead-letters';
import { SeriesLanes } from './series-lanes';
import { seriesOf } from './series';

/** A consumed message, decoded, on its way through the handler. */
export interface DecodedMessage {
  readonly message: ConsumedMessage;
  readonly decoded: DecodedValue;
  /** Completely handled: it may be committed past. */
  finish(): void;
  /** Given up without committing (a result the broker did not take): it is consumed again after a restart. */
  leave(): void;
  /** Can never be handled (not a reading, say): to the dead letters, then committed past. */
  reject(error: Error): void;
}

export interface StreamPipelineOptions {
  /** Message value → value (core/avro ValueCodec). Errors say whether a retry may help. */
  decode: (bytes: Buffer) => Promise<DecodedValue>;
  /**
   * Receives a run of decoded messages of one series, in consumption order; resolves once they
   * are handed over (the series' next run waits for that), and finishes or leaves each one.
   */
  handle: (run: DecodedMessage[]) => Promise<void> | void;
  /** Gets what can never be decoded, with x-error and x-source-* headers. */
  deadLetters?: DeadLetterSink;
  /** Decoding failed with a retriable error (the registry unreachable): the message waits. */
  onDecodeRetry?: (message: ConsumedMessage, error: Error, attempt: number, delayMs: number) => void;
  /** A message that can never be decoded (or that the handler rejected); it goes to the dead letters (if any) and is committed past. */
  onRejected?: (message: ConsumedMessage, error: Error) => void;
  /** The dead-letter topic did not take a message (it is committed past all the same). */
  onDeadLetterFailed?: (message: ConsumedMessage, error: Error) => void;
  /** The handler threw: the run is left uncommitted. */
  onHandlerError?: (run: DecodedMessage[], error: Error) => void;
  retry?: BackoffOptions;
  /** Most messages of one series in one run (default 500). */
  maxRun?: number;
}

export interface StreamCounters {
  consumed: number;
  /** Never decodable, or rejected by the handler. */
  rejected: number;
  /** Taken in and neither finished nor left yet. */
  inFlight: number;
}

/**
 * The stream half of scoring, shared by the Kafka consumer node and the worker: consumed
 * batches → decode (retriable failures retried for as long as it takes, never committed past)
 * → per-series order → handler; what can never be decoded → dead letters. Give `handleBatch` to
 * GroupConsumer, which commits what was finished.
 */
export class StreamPipeline {
  private readonly lanes: SeriesLanes<InFlightMessage>;
  private readonly counters: StreamCounters = { consumed: 0, rejected: 0, inFlight: 0 };
  private readonly closing = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: StreamPipelineOptions) {
    this.lanes = new SeriesLanes((run) => this.runSeries(run), options.maxRun ?? 500);
  }

  get stats(): StreamCounters {
    return { ...this.counters };
  }

  readonly handleBatch = (messages: InFlightMessage[]): void => {
    this.counters.consumed += messages.length;
    this.counters.inFlight += messages.length;
    for (const item of messages) this.lanes.push(seriesOf(item.message), item);
  };

  /** Resolves when every message taken in is finished or left. */
  idle(): Promise<void> {
    if (this.counters.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops waiting for decodes to become possible; those messages are left uncommitted. */
  close(): void {
    this.closing.abort();
  }

  private async runSeries(run: InFlightMessage[]): Promise<void> {
    let ready: DecodedMessage[] = [];
    for (const item of run) {
      const value = item.message.value ?? Buffer.alloc(0);
      let decoded: DecodedValue;
      try {
        decoded = await this.options.decode(value);
      } catch (error) {
        if (!isRetriable(error)) {
          this.reject(item, asError(error));
          continue;
        }
        // What decoded before it goes first: the series stays in order while this one waits.
        await this.hand(ready);
        ready = [];
        const waited = await this.decodeRetrying(item, value);
        if (!waited) continue;
        decoded = waited;
      }
      ready.push(this.decodedMessage(item, decoded));
    }
    await this.hand(ready);
  }

  private async decodeRetrying(item: InFlightMessage, value: Buffer): Promise<DecodedValue | undefined> {
    try {
      return await retry(() => this.options.decode(value), {
        ...this.options.retry,
        signal: this.closing.signal,
        onRetry: (error, attempt, delayMs) => this.options.onDecodeRetry?.(item.message, asError(error), attempt, delayMs),
      });
    } catch (error) {
      if (isRetriable(error)) this.settle(item, false);
      else this.reject(item, asError(error));
      return undefined;
    }
  }

  private async hand(run: DecodedMessage[]): Promise<void> {
    if (run.length === 0) return;
    try {
      await this.options.handle(run);
    } catch (error) {
      this.options.onHandlerError?.(run, asError(error));
    }
  }

  private reject(item: InFlightMessage, error: Error): void {
    this.counters.rejected += 1;
    this.options.onRejected?.(item.message, error);
    const deadLetters = this.options.deadLetters;
    if (!deadLetters) {
      this.settle(item, true);
      return;
    }
    deadLetters.send(deadLetterRecord(deadLetters.topic, item.message, error.message)).then(
      () => this.settle(item, true),
      (failure: unknown) => {
        this.options.onDeadLetterFailed?.(item.message, asError(failure));
        this.settle(item, true);
      },
    );
  }

  private decodedMessage(item: InFlightMessage, decoded: DecodedValue): DecodedMessage {
    let settled = false;
    const once = (): boolean => !settled && (settled = true);
    return {
      message: item.message,
      decoded,
      finish: () => once() && this.settle(item, true),
      leave: () => once() && this.settle(item, false),
      reject: (error) => once() && this.reject(item, error),
    };
  }

  private settle(item: InFlightMessage, commit: boolean): void {
    if (commit) item.finish();
    this.counters.inFlight -= 1;
    if (this.counters.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
