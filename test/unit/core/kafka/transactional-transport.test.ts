import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, ProducerBatch } from 'kafkajs';
import { chunkRecords, transactionalTransport } from '../../../../core/kafka/transactional-transport';
import type { ProduceRecord } from '../../../../core/kafka/types';

const record = (key: string, bytes: number): ProduceRecord => ({ topic: 'state', partition: 0, key, value: Buffer.alloc(bytes - key.length) });

test('records are cut into runs of at most the byte budget, in order; a larger record goes alone', () => {
  const records = [record('a', 400), record('b', 400), record('c', 400), record('d', 1000), record('e', 100)];
  assert.deepEqual(
    chunkRecords(records, 900).map((chunk) => chunk.map((r) => r.key)),
    [['a', 'b'], ['c'], ['d'], ['e']],
  );
  assert.deepEqual(chunkRecords([], 900), []);
});

test('one transaction sends a large set of records in several requests, none over the budget', async () => {
  const batches: ProducerBatch[] = [];
  const calls: string[] = [];
  const transaction = {
    sendBatch: async (batch: ProducerBatch) => {
      batches.push(batch);
      calls.push('send');
      return [];
    },
    sendOffsets: async () => {
      calls.push('offsets');
    },
    commit: async () => {
      calls.push('commit');
    },
    abort: async () => undefined,
  };
  const producer = { connect: async () => undefined, disconnect: async () => undefined, transaction: async () => transaction };
  const kafka = { producer: () => producer } as unknown as Kafka;
  const transport = transactionalTransport(kafka, { transactionalId: 'tx', consumerGroupId: 'group', maxRequestBytes: 100_000 });
  // forty 60 kB checkpoints: 2.4 MB, more than the broker's 1 MiB default in one request
  const records = Array.from({ length: 40 }, (_, i) => record(`meter.${i}`, 60_000));
  await transport.commit(records, [{ topic: 'in', partition: 0, offset: '41' }]);
  assert.deepEqual(calls, [...Array.from({ length: 40 }, () => 'send'), 'offsets', 'commit']);
  for (const batch of batches) {
    const bytes = (batch.topicMessages ?? []).flatMap((topic) => topic.messages).reduce((sum, message) => sum + (message.value as Buffer).length + String(message.key).length, 0);
    assert.ok(bytes <= 100_000, `a request of ${bytes} bytes`);
  }
  const sent = batches.flatMap((batch) => (batch.topicMessages ?? []).flatMap((topic) => topic.messages.map((message) => String(message.key))));
  assert.deepEqual(sent, records.map((r) => r.key));
});
