/**
 * Learned state in Kafka, as Kafka Streams backs a state store: a compacted topic keyed by series
 * id, each record on the partition of the input partition its series is read from, so a worker
 * assigned an input partition finds that partition's state on the same changelog partition.
 */
import { CompressionTypes, type Admin, type Kafka } from 'kafkajs';
import { readChangelog } from './changelog-reader';

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
    return readChangelog(this.kafka, this.options.topic, partitions, false);
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
