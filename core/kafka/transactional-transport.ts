import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { recordBytes } from './buffered-producer';
import { toKafkaError } from './errors';
import type { CommitPoint } from './offset-tracker';
import type { TransactionTransport } from './transactional-output';
import type { ProduceRecord } from './types';

export interface TransactionalProducerOptions {
  /** Stable per worker instance: a restarted instance fences its predecessor and aborts its open transaction. */
  transactionalId: string;
  /** The group whose offsets each transaction commits (sendOffsets). */
  consumerGroupId: string;
  /** The broker aborts a transaction left open this long (default 10 s), e.g. by a process killed mid-way. */
  transactionTimeoutMs?: number;
  /**
   * Most bytes of records in one produce request of a transaction (default 768 KiB): a larger
   * transaction is sent in several, each under the broker's 1 MiB default message.max.bytes.
   */
  maxRequestBytes?: number;
}

export const defaultMaxRequestBytes = 768 * 1024;

/** The records in order, cut into runs of at most `maxBytes` (a larger record alone). */
export function chunkRecords(records: readonly ProduceRecord[], maxBytes: number): ProduceRecord[][] {
  const chunks: ProduceRecord[][] = [];
  let chunk: ProduceRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * kafkajs's transactions: an idempotent producer with one request in flight and a transactional
 * id. After a failed transaction the producer is replaced: a new one initialises the same id,
 * which aborts whatever the old one left open.
 */
export function transactionalTransport(kafka: Kafka, options: TransactionalProducerOptions): TransactionTransport {
  let producer: Producer | undefined;
  const create = (): Producer =>
    kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 10_000,
      allowAutoTopicCreation: true,
      // by key, as the at-least-once producer: a series' results land on the same output partition either way
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  async function connected(): Promise<Producer> {
    if (producer) return producer;
    const fresh = create();
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.disconnect().catch(() => undefined);
      throw toKafkaError(error);
    }
    producer = fresh;
    return fresh;
  }
  return {
    async connect() {
      await connected();
    },
    async commit(records, offsets) {
      const current = await connected();
      let transaction;
      try {
        transaction = await current.transaction();
        for (const chunk of chunkRecords(records, options.maxRequestBytes ?? defaultMaxRequestBytes)) await transaction.sendBatch({ acks: -1, topicMessages: topicMessages(chunk) });
        await transaction.sendOffsets({ consumerGroupId: options.consumerGroupId, topics: offsetTopics(offsets) });
        await transaction.commit();
      } catch (error) {
        await transaction?.abort().catch(() => undefined);
        producer = undefined;
        await current.disconnect().catch(() => undefined);
        throw toKafkaError(error);
      }
    },
    async disconnect() {
      const current = producer;
      producer = undefined;
      await current?.disconnect();
    },
  };
}

function topicMessages(records: readonly ProduceRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const message: Message = { key: record.key ?? null, value: record.value };
    if (record.partition !== undefined) message.partition = record.partition;
    if (record.headers) message.headers = record.headers;
    const list = byTopic.get(record.topic) ?? [];
    list.push(message);
    byTopic.set(record.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function offsetTopics(points: readonly CommitPoint[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const point of points) {
    const list = byTopic.get(point.topic) ?? [];
    list.push({ partition: point.partition, offset: point.offset });
    byTopic.set(point.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
