/**
 * Reads a changelog to its end offsets. The end of each batch (kafkajs's END_BATCH_PROCESS, also
 * sent for a batch of markers only) says how far a partition was read, not the last record: a log
 * written in transactions holds commit markers (and aborted records) no consumer delivers, and
 * compaction leaves gaps, so "the last record read" may never reach the end offset.
 */
import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/**
 * The newest value of every key of the given partitions, up to their end offsets as they are now;
 * `committedOnly` for a changelog written in transactions (read_committed).
 */
export async function readChangelog(kafka: Kafka, topic: string, partitions: readonly number[], committedOnly: boolean): Promise<Map<string, Buffer>> {
  const states = new Map<string, Buffer>();
  const ends = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  const wanted = new Map<number, bigint>();
  for (const end of ends) {
    if (partitions.includes(end.partition) && BigInt(end.high) > BigInt(end.low)) wanted.set(end.partition, BigInt(end.high));
  }
  if (wanted.size === 0) return states;
  const groupId = `${topic}-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: !committedOnly });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const left = new Set(wanted.keys());
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const end = wanted.get(payload.partition);
        if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) left.delete(payload.partition);
        if (left.size === 0) resolve();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = wanted.get(batch.partition);
            if (end === undefined || !left.has(batch.partition)) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end) break;
              const key = message.key?.toString() ?? '';
              if (message.value) states.set(key, message.value);
              else states.delete(key);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return states;
}

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
