import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from '../../../../core/kafka/client';
import { GroupConsumer } from '../../../../core/kafka/consumer';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** A kafkajs consumer that hands its eachBatch to the test instead of fetching. */
function stubClient(): { client: KafkaClient; eachBatch: () => NonNullable<ConsumerRunConfig['eachBatch']> } {
  let eachBatch: ConsumerRunConfig['eachBatch'];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: () => () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (config: ConsumerRunConfig) => {
      eachBatch = config.eachBatch;
    },
    disconnect: async () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  };
  const client = { kafkajs: { consumer: () => consumer as unknown as Consumer }, verifyTls: async () => undefined } as unknown as KafkaClient;
  return {
    client,
    eachBatch: () => {
      assert.ok(eachBatch, 'consumer.run was not called');
      return eachBatch;
    },
  };
}

function batchOf(offset: number): EachBatchPayload {
  const message = { offset: String(offset), key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0', attributes: 0, size: 0 } as unknown as KafkaMessage;
  return {
    batch: { topic: 'readings', partition: 0, messages: [message] },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

async function heapAfterGc(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  return process.memoryUsage().heapUsed;
}

test('taking in-flight slots batch after batch keeps nothing until the consumer stops', async () => {
  const { client, eachBatch } = stubClient();
  const consumer = new GroupConsumer(client, {
    groupId: 'group',
    topics: ['readings'],
    maxInFlight: 16,
    commitOffsets: async () => undefined,
    handleBatch: (messages) => messages.forEach((item) => item.finish()),
  });
  await consumer.start();
  const onBatch = eachBatch();
  let offset = 0;
  const batches = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) await onBatch(batchOf(offset++));
  };
  await batches(2000);
  const before = await heapAfterGc();
  const count = 40_000;
  await batches(count);
  const grown = (await heapAfterGc()) - before;
  await consumer.stop();
  // a long-lived 2 s timer or a reaction kept per batch is 100+ bytes each, some 4+ MB here
  assert.ok(grown / count < 25, `the heap grew by ${Math.round(grown / count)} bytes a batch (${(grown / 1048576).toFixed(1)} MB over ${count} batches)`);
  assert.equal(consumer.inFlight, 0);
});
