import type { KafkaClient } from '../kafka/client';
import { toKafkaError } from '../kafka/errors';

export interface PartitionEnds {
  partition: number;
  low: string;
  high: string;
}

/**
 * Lag summed over partitions: the high watermark minus the group's committed offset (the whole
 * partition when the group has committed nothing there yet). A partition never counts below 0:
 * just after a broker restart its high watermark can be read stale, behind the committed offset.
 */
export function lagOf(ends: readonly PartitionEnds[], committed: ReadonlyMap<number, bigint>): number {
  let lag = 0n;
  for (const end of ends) {
    const high = BigInt(end.high);
    const low = BigInt(end.low);
    const at = committed.get(end.partition) ?? -1n;
    const behind = high - (at >= low ? at : low);
    if (behind > 0n) lag += behind;
  }
  return Number(lag);
}

/** Consumer-group lag of a topic, as `lagOf` counts it. */
export async function groupLag(client: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = client.kafkajs.admin();
  try {
    await admin.connect();
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedByPartition = new Map<number, bigint>();
    for (const entry of committed.find((t) => t.topic === topic)?.partitions ?? []) {
      committedByPartition.set(entry.partition, BigInt(entry.offset));
    }
    return lagOf(ends, committedByPartition);
  } catch (error) {
    throw toKafkaError(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
