// Worker throughput (Kafka in → score → Kafka out) next to the raw kafkajs produce + consume
// rate on the same broker in the same run: the ceiling the worker can approach.
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, stackInfo } from '../support/stack';
import { createModelScorer } from '../../core/worker/model-scorer';
import type { ReadingScorer } from '../../core/worker/scorer';
import { startWorker } from '../../core/worker/worker';

const count = Number(process.env.BENCH_READINGS ?? 20_000);
const meters = 50;
const run = `${Date.now().toString(36)}`;
const brokers = stackInfo().kafka.brokers;
const kafka = new Kafka({ brokers, clientId: 'bench-pipeline', logLevel: logLevel.NOTHING });

function readingsMessages(): Array<{ key: string; value: string }> {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const meter = `sensor.bench_${i % meters}`;
    const hour = Math.floor(i / meters);
    return { key: meter, value: JSON.stringify({ entity_id: meter, ts: start + hour * 3_600_000, value: 0.2 + (hour % 24) / 30, unit: 'kWh', kind: 'energy', interval_s: 3600 }) };
  });
}

async function produceAll(topic: string, messages: Array<{ key: string; value: string }>): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const began = performance.now();
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  const ms = performance.now() - began;
  await producer.disconnect();
  return ms;
}

async function consumeAll(topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const began = performance.now();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= count) resolve();
      },
    });
  });
  const ms = performance.now() - began;
  await consumer.disconnect();
  return ms;
}

async function main(): Promise<void> {
  const topics = { raw: `bench-raw-${run}`, in: `bench-in-${run}`, out: `bench-out-${run}` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 4 })) });
  const messages = readingsMessages();
  try {
    const produceMs = await produceAll(topics.raw, messages);
    const consumeMs = await consumeAll(topics.raw);
    console.log(`raw kafkajs produce: ${Math.round((count * 1000) / produceMs)} msg/s (${count} messages, batches of 1000, acks all)`);
    console.log(`raw kafkajs consume: ${Math.round((count * 1000) / consumeMs)} msg/s`);
    console.log(`raw kafkajs produce+consume: ${Math.round((count * 1000) / (produceMs + consumeMs))} msg/s`);

    await produceAll(topics.in, messages);
    const scorers: Array<[string, ReadingScorer]> = [
      ['a constant score (the pipeline alone)', { score: async (reading) => ({ ...reading, score: 0.1, anomaly_score: 0.01, anomaly: false, expected: reading.value, model: 'constant' }) }],
      ['the per-series model scorer (online learning, retraining)', createModelScorer({ modelDir: join(projectRoot(), 'models') })],
    ];
    for (const [label, scorer] of scorers) {
      const began = performance.now();
      const worker = await startWorker(
        { broker: { brokers }, inTopic: topics.in, outTopic: topics.out, groupId: `bench-worker-${run}-${scorers.findIndex(([l]) => l === label)}`, fromBeginning: true, maxInFlight: 256 },
        { scorer },
      );
      while (worker.stats.scored + worker.stats.rejected < count) await new Promise((resolve) => setTimeout(resolve, 50));
      const workerMs = performance.now() - began;
      await worker.stop();
      console.log(`worker consume → score → produce with ${label}: ${Math.round((count * 1000) / workerMs)} readings/s (${count} readings of ${meters} meters, 1 worker, 4 partitions; rejected ${worker.stats.rejected})`);
      console.log(`  worker time / raw produce+consume time: ${(workerMs / (produceMs + consumeMs)).toFixed(1)}x`);
    }
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`pipeline-worker bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
