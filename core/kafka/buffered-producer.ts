import { retry } from '../retry';
import type { ProducerTransport } from './client';
import { KafkaError, toKafkaError } from './errors';
import type { Delivery, ProduceRecord } from './types';

export interface BufferBounds {
  /** Most records held (waiting or being sent). */
  maxCount: number;
  /** Most bytes (keys + values + headers) held. */
  maxBytes: number;
}

export interface BufferedProducerOptions extends Partial<BufferBounds> {
  /** Most records in one batch. */
  maxBatch?: number;
  /** Back-off between attempts while the broker is unreachable (core/retry.ts backoff). */
  retryDelayMs?: { initial: number; max: number };
  onStateChange?: (state: ProducerState) => void;
}

export interface ProducerState {
  connected: boolean;
  /** Records accepted and not yet acknowledged by the broker. */
  buffered: number;
  bufferedBytes: number;
  delivered: number;
  /** The last send failure, cleared by the next success. */
  lastError?: KafkaError;
}

interface Pending {
  record: ProduceRecord;
  bytes: number;
  resolve: (delivery: Delivery) => void;
  reject: (error: Error) => void;
}

export const defaultBufferBounds: BufferBounds = { maxCount: 10_000, maxBytes: 16 * 1024 * 1024 };

export function recordBytes(record: ProduceRecord): number {
  let bytes = (record.value?.length ?? 0) + (record.key ? Buffer.byteLength(record.key) : 0);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * Sends records in the order they were accepted, one batch at a time, holding them in memory
 * (up to the bounds) while the broker is unreachable and retrying until it is back. A record
 * that does not fit is refused at once; none is dropped silently.
 */
export class BufferedProducer {
  private readonly queue: Pending[] = [];
  private bytes = 0;
  private delivered = 0;
  private connected = false;
  private lastError: KafkaError | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private connectedOnce = false;
  private connecting: Promise<void> | undefined;
  private readonly closing = new AbortController();
  private readonly bounds: BufferBounds;
  private readonly maxBatch: number;
  private readonly retryDelay: { initial: number; max: number };

  constructor(
    private readonly transport: ProducerTransport,
    private readonly options: BufferedProducerOptions = {},
  ) {
    this.bounds = { maxCount: options.maxCount ?? defaultBufferBounds.maxCount, maxBytes: options.maxBytes ?? defaultBufferBounds.maxBytes };
    this.maxBatch = options.maxBatch ?? 500;
    this.retryDelay = options.retryDelayMs ?? { initial: 250, max: 5000 };
    transport.onConnectionChange((connected) => {
      this.connected = connected;
      this.notify();
    });
  }

  get state(): ProducerState {
    const state: ProducerState = { connected: this.connected, buffered: this.queue.length, bufferedBytes: this.bytes, delivered: this.delivered };
    if (this.lastError) state.lastError = this.lastError;
    return state;
  }

  /** Resolves when the broker has acknowledged the record (acks all). */
  async send(record: ProduceRecord): Promise<Delivery> {
    return (await this.sendAll([record]))[0] as Delivery;
  }

  /**
   * Accepts all the records or none (the buffer bounds hold for them together); resolves with
   * their deliveries, in order, once the broker acknowledged every one, and rejects at the first
   * that failed.
   */
  sendAll(records: readonly ProduceRecord[]): Promise<Delivery[]> {
    if (this.closed) return Promise.reject(new KafkaError('producer is closed', 'closed', false));
    const sizes = records.map(recordBytes);
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    if (this.queue.length + records.length > this.bounds.maxCount || this.bytes + bytes > this.bounds.maxBytes) {
      return Promise.reject(
        new KafkaError(
          `send buffer full (${this.queue.length}/${this.bounds.maxCount} records, ${this.bytes + bytes}/${this.bounds.maxBytes} bytes): record refused`,
          'buffer-full',
          true,
        ),
      );
    }
    if (records.length === 0) return Promise.resolve([]);
    return new Promise<Delivery[]>((resolve, reject) => {
      const deliveries = new Array<Delivery>(records.length);
      let left = records.length;
      let failed = false;
      records.forEach((record, index) => {
        this.queue.push({
          record,
          bytes: sizes[index] as number,
          resolve: (delivery) => {
            deliveries[index] = delivery;
            left -= 1;
            if (left === 0 && !failed) resolve(deliveries);
          },
          reject: (error) => {
            if (failed) return;
            failed = true;
            reject(error);
          },
        });
      });
      this.bytes += bytes;
      this.notify();
      this.start();
    });
  }

  /** Connects ahead of the first record, so the state shows at once whether the broker takes us; never throws. */
  async connect(): Promise<void> {
    if (this.connectedOnce || this.closed) return;
    try {
      await this.ensureConnected();
      this.lastError = undefined;
    } catch (error) {
      this.lastError = toKafkaError(error);
    }
    this.notify();
  }

  /** One connection attempt at a time: kafkajs must finish initialising the idempotent producer before a send. */
  private ensureConnected(): Promise<void> {
    if (this.connectedOnce) return Promise.resolve();
    this.connecting ??= this.transport
      .connect()
      .then(() => {
        this.connectedOnce = true;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Waits up to `timeoutMs` for the buffer to drain, then stops; records still held are rejected. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.queue.length > 0 && this.running) {
      await Promise.race([this.drained(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    }
    this.closed = true;
    this.closing.abort();
    await this.running?.catch(() => undefined);
    const left = this.queue.splice(0);
    this.bytes = 0;
    for (const pending of left) pending.reject(new KafkaError('producer closed before the broker acknowledged the record', 'closed', false));
    await this.transport.disconnect().catch(() => undefined);
    this.notify();
  }

  private async drained(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private start(): void {
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.closed) this.start();
    });
  }

  private async loop(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      try {
        await retry(() => this.sendBatch(), {
          signal: this.closing.signal,
          initialMs: this.retryDelay.initial,
          maxMs: this.retryDelay.max,
          onRetry: (error) => {
            this.lastError = toKafkaError(error);
            this.notify();
          },
        });
      } catch (error) {
        const failure = toKafkaError(error);
        this.lastError = failure;
        if (!failure.retriable) {
          // Not worth retrying (bad topic name, refused credentials): fail this batch, keep going.
          const batch = this.queue.splice(0, Math.min(this.maxBatch, this.queue.length));
          for (const pending of batch) {
            this.bytes -= pending.bytes;
            pending.reject(failure);
          }
          if (failure.kind === 'auth') this.connectedOnce = false;
        }
        this.notify();
      }
    }
  }

  private async sendBatch(): Promise<void> {
    const batch = this.queue.slice(0, this.maxBatch);
    let deliveries: Delivery[];
    try {
      await this.ensureConnected();
      deliveries = await this.transport.send(batch.map((pending) => pending.record));
    } catch (error) {
      throw toKafkaError(error);
    }
    this.queue.splice(0, batch.length);
    batch.forEach((pending, index) => {
      this.bytes -= pending.bytes;
      this.delivered += 1;
      pending.resolve(deliveries[index] as Delivery);
    });
    this.lastError = undefined;
    this.notify();
  }

  private notify(): void {
    this.options.onStateChange?.(this.state);
  }
}
