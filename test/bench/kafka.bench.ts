import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ValueCodec } from '../../core/avro/codec';
import { BufferedProducer } from '../../core/kafka/buffered-producer';
import { createKafkaClient } from '../../core/kafka/client';
import { GroupConsumer } from '../../core/kafka/consumer';
import type { Reading } from '../../core/reading';
import { stackInfo } from '../support/stack';
import { brokerNode, collect, helper, onTab, sink, testNodeModules, waitFor } from '../integration/kafka/support';

// Kafka throughput on the shared broker: raw kafkajs, then this plugin's producer and consumer
// with Avro. Measures; asserts nothing. Each run uses fresh topics.
const count = Number(process.env.KAFKA_BENCH_COUNT ?? 20000);
const brokers = stackInfo().kafka.brokers;
const runId = Date.now().toString(36);

function reading(n: number): Reading {
  return { entity_id: `sensor.meter_${n % 16}`, ts: 1_700_000_000_000 + n * 1000, value: (n % 500) + 0.5, unit: 'Wh', kind: 'energy', hour: n % 24, interval_s: 3600 };
}

function report(label: string, messages: number, began: bigint): void {
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  console.log(`${label}: ${messages} messages in ${seconds.toFixed(2)} s = ${Math.round(messages / seconds)} msgs/s`);
}

async function codecOnly(): Promise<void> {
  const codec = new ValueCodec();
  let began = process.hrtime.bigint();
  const encoded: Buffer[] = [];
  for (let n = 0; n < count * 5; n += 1) encoded.push(await codec.encode('avro', 't', reading(n)));
  report('avro single-object encode (no broker)', encoded.length, began);
  began = process.hrtime.bigint();
  for (const bytes of encoded) await codec.decode(bytes, 'auto');
  report('avro auto-detect decode (no broker)', encoded.length, began);
}

async function rawKafkajs(): Promise<void> {
  const topic = `bench-raw-${runId}`;
  const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = Buffer.alloc(100, 1);
  let began = process.hrtime.bigint();
  for (let start = 0; start < count; start += 1000) {
    const messages = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({ key: `k${(start + i) % 16}`, value }));
    await producer.send({ topic, acks: -1, messages });
  }
  report('raw kafkajs produce (100 B, batches of 1000, acks all, idempotent)', count, began);
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-raw-${runId}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  began = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        received += 1;
        if (received === count) resolve();
      },
    });
  });
  report('raw kafkajs consume (eachMessage, auto commit)', received, began);
  await consumer.disconnect();
}

async function pluginAvro(): Promise<void> {
  const topic = `bench-avro-${runId}`;
  const client = createKafkaClient({ brokers, clientId: 'bench-plugin' });
  await client.createTopic(topic, 4);
  const codec = new ValueCodec();
  const producer = new BufferedProducer(client.producerTransport(), { maxCount: count + 1 });
  let began = process.hrtime.bigint();
  const deliveries = [];
  for (let n = 0; n < count; n += 1) {
    const value = reading(n);
    deliveries.push(producer.send({ topic, key: value.entity_id, value: await codec.encode('avro', topic, value) }));
  }
  await Promise.all(deliveries);
  report('plugin producer: encode Avro + BufferedProducer, acked', count, began);
  await producer.close();

  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  began = process.hrtime.bigint();
  const consumer = new GroupConsumer(client, {
    groupId: `bench-avro-${runId}`,
    topics: [topic],
    fromBeginning: true,
    maxInFlight: 64,
    handle: (message, finish) => {
      void codec.decode(message.value ?? Buffer.alloc(0)).then(() => {
        finish();
        received += 1;
        if (received === count) done();
      });
    },
  });
  await consumer.start();
  await finished;
  report('plugin consumer: GroupConsumer + Avro decode, commit-after-done (64 in flight)', received, began);
  await consumer.stop();
}

/** The Node-RED nodes in the real runtime (test helper): out (Avro) acknowledged, then in (auto) through a finishing sink. */
async function nodesAvro(): Promise<void> {
  const topic = `bench-nodes-${runId}`;
  await createKafkaClient({ brokers, clientId: 'bench-nodes' }).createTopic(topic, 4);
  const messages = Math.min(count, 10000);
  await helper.load(
    testNodeModules(),
    onTab([
      brokerNode(),
      { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format: 'avro', bufferCount: messages + 1, wires: [['acked']] },
      sink('acked'),
      { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, fromBeginning: true, format: 'auto', maxInFlight: 64, wires: [['consumed']] },
      sink('consumed'),
    ]),
  );
  const acked = collect('acked');
  const consumed = collect('consumed');
  const began = process.hrtime.bigint();
  const out = helper.getNode('out');
  for (let n = 0; n < messages; n += 1) out.receive({ payload: reading(n) });
  await waitFor(() => acked.length === messages, 120000, 'all acknowledged');
  report('node smarts-kafka-out (Avro single-object), input to acknowledged', messages, began);
  await waitFor(() => consumed.length === messages, 120000, 'all consumed');
  report('node smarts-kafka-in (auto) to a finishing sink, from the same start (overlaps the producer)', messages, began);
  await helper.unload();
}

async function main(): Promise<void> {
  await codecOnly();
  await rawKafkajs();
  await pluginAvro();
  await nodesAvro();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`kafka bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
