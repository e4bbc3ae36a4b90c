import type { Kafka } from 'kafkajs';
import { until } from './readings';

/** kafkajs alone, no other work: N messages produced (batches of 1000, acks all), then read back by a group with eachBatch (timed from joining it). */
export async function rawProduceConsume(kafka: Kafka, topic: string, messages: Array<{ key: string; value: string }>, groupId: string): Promise<{ produceMs: number; consumeMs: number }> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const produceBegan = performance.now();
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  const produceMs = performance.now() - produceBegan;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let joined = 0;
  let last = 0;
  // From joining the group: the first fetch already brings most of the messages.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined ||= performance.now();
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= messages.length && last === 0) last = performance.now();
    },
  });
  await until(() => last > 0, 300_000, `${messages.length} messages read back`);
  await consumer.disconnect();
  return { produceMs, consumeMs: last - joined };
}
