import type { KafkaClient } from '../kafka/client';
import { toKafkaError } from '../kafka/errors';

/**
 * Consumer-group lag of a topic: per partition, the high watermark minus the group's committed
 * offset (the whole partition when the group has committed nothing there yet).
 */
export async function groupLag(client: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = client.kafkajs.admin();
  try {
    await admin.connect();
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedByPartition = new Map<number, bigint>();
    for (const entry of committed.find((t) => t.topic === topic)?.partitions ?? []) {
      committedByPartition.set(entry.partition, BigInt(entry.offset));
    }
    let lag = 0n;
    for (const end of ends) {
      const high = BigInt(end.high);
      const low = BigInt(end.low);
      const at = committedByPartition.get(end.partition) ?? -1n;
      lag += high - (at >= low ? at : low);
    }
    return Number(lag);
  } catch (error) {
    throw toKafkaError(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
