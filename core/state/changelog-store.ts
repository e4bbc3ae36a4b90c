/**
 * Learned state in Kafka, as Kafka Streams backs a state store: a compacted topic keyed by series
 * id, each record on the partition of the input partition its series is read from, so a worker
 * assigned an input partition finds that partition's state on the same changelog partition.
 */
import { CompressionTypes, type Admin, type Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ChangelogRecord {
  partition: number;
  key: string;
  value: Buffer;
}

export interface ChangelogStoreOptions {
  topic: string;
  /** The input topic: the changelog gets its partition count. */
  inputTopic: string;
}

/** The Kafka Streams-like default name of a group's series-state changelog. */
export function defaultChangelogTopic(groupId: string): string {
  return `${groupId}-series-state-changelog`;
}

export class ChangelogStore {
  private readonly producer;
  private opened: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ChangelogStoreOptions,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  get topic(): string {
    return this.options.topic;
  }

  /** Creates the compacted topic if missing (partitions as the input topic) and connects the producer. */
  open(): Promise<void> {
    this.opened ??= this.withAdmin(async (admin) => {
      const [input] = (await admin.fetchTopicMetadata({ topics: [this.options.inputTopic] })).topics;
      const partitions = input?.partitions.length ?? 1;
      const existing = await admin.listTopics();
      if (!existing.includes(this.options.topic)) {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic: this.options.topic, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      }
      await this.producer.connect();
    });
    return this.opened;
  }

  async write(records: readonly ChangelogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.open();
    await this.producer.sendBatch({
      acks: -1,
      // a state is mostly base64 of float columns and JSON numbers: gzip halves it on disk and on the wire
      compression: CompressionTypes.GZIP,
      topicMessages: [{ topic: this.options.topic, messages: records.map((record) => ({ partition: record.partition, key: record.key, value: record.value })) }],
    });
  }

  /** The newest state of every key of the given partitions, read up to the end offsets as they are now. */
  async readPartitions(partitions: readonly number[]): Promise<Map<string, Buffer>> {
    await this.open();
    const states = new Map<string, Buffer>();
    const ends = await this.withAdmin((admin) => admin.fetchTopicOffsets(this.options.topic));
    const wanted = new Map<number, bigint>();
    for (const end of ends) {
      if (partitions.includes(end.partition) && BigInt(end.high) > BigInt(end.low)) wanted.set(end.partition, BigInt(end.high));
    }
    if (wanted.size === 0) return states;
    const groupId = `${this.options.topic}-restore-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const left = new Set(wanted.keys());
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = wanted.get(batch.partition);
              if (end === undefined) return;
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= end) break;
                const key = message.key?.toString() ?? '';
                if (message.value) states.set(key, message.value);
                else states.delete(key);
                if (BigInt(message.offset) + 1n >= end) left.delete(batch.partition);
              }
              if (left.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await this.withAdmin((admin) => admin.deleteGroups([groupId])).catch(() => undefined);
    }
    return states;
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
