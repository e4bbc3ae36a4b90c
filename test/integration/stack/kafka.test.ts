import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { stackInfo } from '../../support/stack';

// Proof that the stack's broker is a real Kafka: topics, partitions, consumer groups, SASL.

function client(brokers: string[], sasl?: SASLOptions): Kafka {
  return new Kafka({ clientId: 'stack-proof', brokers, sasl, logLevel: logLevel.NOTHING });
}

describe('stack: Kafka broker', () => {
  it('creates a 4-partition topic, produces and consumes every message through a consumer group', { timeout: 90_000 }, async () => {
    const kafka = client(stackInfo().kafka.brokers);
    const topic = `stack-proof-${randomUUID()}`;
    const groupId = `stack-proof-group-${randomUUID()}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId });
    try {
      await admin.connect();
      assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true }), true);
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      assert.equal(metadata?.partitions.length, 4);

      const sent = Array.from({ length: 20 }, (_, i) => ({ key: `meter-${i % 5}`, value: JSON.stringify({ hour: i % 24, kwh: i / 10 }) }));
      await producer.connect();
      await producer.send({ topic, messages: sent });

      const received: string[] = [];
      const partitionsSeen = new Set<number>();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const allReceived = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            partitionsSeen.add(partition);
            received.push(message.value?.toString() ?? '');
            if (received.length === sent.length) resolve();
          },
        });
      });
      await allReceived;
      assert.deepEqual([...received].sort(), sent.map((m) => m.value).sort());
      assert.ok(partitionsSeen.size > 1, `keys spread over partitions (saw ${[...partitionsSeen].join(',')})`);

      // The group commits its position after each batch: the broker's group coordinator ends up
      // with offsets that add up to every message consumed.
      const committed = async (): Promise<number> => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets.flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      };
      const deadline = Date.now() + 20_000;
      while ((await committed()) !== sent.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await committed(), sent.length);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  for (const mechanism of ['scram-sha-256', 'plain'] as const) {
    it(`accepts the stack's user over SASL ${mechanism} and refuses a wrong password`, { timeout: 60_000 }, async () => {
      const { saslBrokers, scram } = stackInfo().kafka;
      const good = client(saslBrokers, { mechanism, username: scram.username, password: scram.password }).admin();
      try {
        await good.connect();
        const topic = `stack-sasl-${randomUUID()}`;
        assert.equal(await good.createTopics({ topics: [{ topic }], waitForLeaders: true }), true);
        assert.ok((await good.listTopics()).includes(topic));
        await good.deleteTopics({ topics: [topic] });
      } finally {
        await good.disconnect();
      }

      const bad = client(saslBrokers, { mechanism, username: scram.username, password: `${scram.password}-wrong` }).admin();
      try {
        await assert.rejects(bad.connect(), (error: Error) => {
          assert.equal(error.name, 'KafkaJSSASLAuthenticationError');
          return true;
        });
      } finally {
        await bad.disconnect();
      }
    });
  }
});
