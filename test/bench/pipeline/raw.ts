import type { Kafka } from 'kafkajs';
import { until } from './readings';

/** N messages produced by kafkajs alone (idempotent, batches of 1000, acks all); returns the milliseconds it took. */
export async function produceMessages(kafka: Kafka, topic: string, messages: Array<{ key: string; value: string }>): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const began = performance.now();
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  const ms = performance.now() - began;
  await producer.disconnect();
  return ms;
}

/** kafkajs alone, no other work: N messages produced, then read back by a group with eachBatch (timed from joining it). */
export async function rawProduceConsume(kafka: Kafka, topic: string, messages: Array<{ key: string; value: string }>, groupId: string): Promise<{ produceMs: number; consumeMs: number }> {
  const produceMs = await produceMessages(kafka, topic, messages);

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
