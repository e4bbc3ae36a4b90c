import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferedProducer, recordBytes } from '../../../../core/kafka/buffered-producer';
import type { ProducerTransport } from '../../../../core/kafka/client';
import { KafkaError } from '../../../../core/kafka/errors';
import type { Delivery, ProduceRecord } from '../../../../core/kafka/types';

/** A transport that fails while `down` is set, like kafkajs with the broker gone (the real broker is in test/integration). */
class ScriptedTransport implements ProducerTransport {
  down = false;
  fatal: KafkaError | undefined;
  sent: ProduceRecord[] = [];
  batches = 0;
  connects = 0;
  connected = false;
  private listener: ((connected: boolean) => void) | undefined;
  async connect(): Promise<void> {
    this.connects += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.down) throw new KafkaError('connect ECONNREFUSED', 'connection', true);
    this.connected = true;
    this.listener?.(true);
  }
  async send(records: readonly ProduceRecord[]): Promise<Delivery[]> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.fatal) throw this.fatal;
    if (this.down) throw new KafkaError('connect ECONNREFUSED', 'connection', true);
    if (!this.connected) throw new Error('sent before the connection was complete');
    this.batches += 1;
    return records.map((record) => {
      this.sent.push(record);
      return { topic: record.topic, partition: 0, offset: String(this.sent.length - 1) };
    });
  }
  async disconnect(): Promise<void> {}
  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listener = listener;
  }
}

const record = (n: number): ProduceRecord => ({ topic: 't', key: 'k', value: Buffer.from(String(n).padStart(4, '0')) });

test('delivers in order with offsets, batching what queued meanwhile', async () => {
  const transport = new ScriptedTransport();
  const producer = new BufferedProducer(transport, { maxBatch: 50 });
  const deliveries = await Promise.all(Array.from({ length: 120 }, (_, n) => producer.send(record(n))));
  assert.deepEqual(transport.sent.map((r) => Number(r.value?.toString())), Array.from({ length: 120 }, (_, n) => n));
  assert.deepEqual(deliveries.map((d) => d.offset), Array.from({ length: 120 }, (_, n) => String(n)));
  assert.ok(transport.batches < 120);
  await producer.close();
});

test('buffers while the broker is down, refuses what does not fit, sends the rest in order when back', async () => {
  const transport = new ScriptedTransport();
  transport.down = true;
  const states: number[] = [];
  const producer = new BufferedProducer(transport, { maxCount: 5, retryDelayMs: { initial: 5, max: 20 }, onStateChange: (state) => states.push(state.buffered) });
  const accepted = Array.from({ length: 5 }, (_, n) => producer.send(record(n)));
  await assert.rejects(producer.send(record(5)), (error: unknown) => error instanceof KafkaError && error.kind === 'buffer-full');
  assert.equal(producer.state.buffered, 5);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(producer.state.lastError?.kind, 'connection');
  transport.down = false;
  await Promise.all(accepted);
  assert.deepEqual(transport.sent.map((r) => Number(r.value?.toString())), [0, 1, 2, 3, 4]);
  assert.equal(producer.state.buffered, 0);
  assert.ok(states.includes(5));
  await producer.close();
});

test('the byte bound holds', async () => {
  const transport = new ScriptedTransport();
  transport.down = true;
  const producer = new BufferedProducer(transport, { maxBytes: recordBytes(record(0)) * 2, retryDelayMs: { initial: 5, max: 5 } });
  const held = [producer.send(record(0)), producer.send(record(1))];
  await assert.rejects(producer.send(record(2)), /send buffer full/);
  await producer.close(10);
  await assert.rejects(held[0] as Promise<Delivery>, (error: unknown) => error instanceof KafkaError && error.kind === 'closed');
  await assert.rejects(held[1] as Promise<Delivery>, KafkaError);
});

test('a non-retriable failure rejects the batch instead of retrying forever', async () => {
  const transport = new ScriptedTransport();
  transport.fatal = new KafkaError('authentication refused', 'auth', false);
  const producer = new BufferedProducer(transport, { retryDelayMs: { initial: 5, max: 5 } });
  await assert.rejects(producer.send(record(0)), /authentication refused/);
  transport.fatal = undefined;
  assert.equal((await producer.send(record(1))).offset, '0');
  await producer.close();
});

test('an early connect and the first send share one connection attempt; nothing is sent before it completes', async () => {
  const transport = new ScriptedTransport();
  const producer = new BufferedProducer(transport);
  const warmUp = producer.connect();
  const delivery = producer.send(record(0));
  await warmUp;
  assert.equal((await delivery).offset, '0');
  assert.equal(transport.connects, 1);
  await producer.close();
});
