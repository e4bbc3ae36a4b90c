import { Kafka, logLevel, Partitioners, type KafkaConfig, type Message, type Producer, type SASLOptions } from 'kafkajs';
import { tlsOptions, type BrokerConfig } from './config';
import { toKafkaError } from './errors';
import { probeTls } from './tls-probe';
import { kafkaLogCreator } from './log';
import type { TransactionTransport } from './transactional-output';
import { transactionalTransport, type TransactionalProducerOptions } from './transactional-transport';
import { silentLogger, type Delivery, type KafkaLogger, type ProduceRecord } from './types';

/** The sending half the buffered producer drives: kafkajs behind a four-method interface. */
export interface ProducerTransport {
  connect(): Promise<void>;
  /** Sends the records as one batch (acks all); deliveries in the records' order. */
  send(records: readonly ProduceRecord[]): Promise<Delivery[]>;
  disconnect(): Promise<void>;
  onConnectionChange(listener: (connected: boolean) => void): void;
}

export interface KafkaClient {
  readonly config: BrokerConfig;
  /** An idempotent producer (acks all, in-order, DefaultPartitioner). */
  producerTransport(): ProducerTransport;
  /** A transactional producer (idempotent, one request in flight) that commits records and consumer offsets together. */
  transactionTransport(options: TransactionalProducerOptions): TransactionTransport;
  /** Connects, reads cluster metadata, disconnects: proves address, TLS and SASL credentials. */
  checkConnection(): Promise<void>;
  /** With TLS: fails at once, not retriable, when the brokers' certificate is refused (see probeTls). */
  verifyTls(): Promise<void>;
  /** Creates a topic if it does not exist; resolves true when it was created. */
  createTopic(topic: string, partitions: number): Promise<boolean>;
  /** The underlying kafkajs client, for core/kafka's own consumer only. */
  readonly kafkajs: Kafka;
}

export interface KafkaClientOptions {
  logger?: KafkaLogger;
  /** kafkajs's own retries of a failed request or connection (default 8). */
  retries?: number;
  /** kafkajs log level routed to the logger (default WARN). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

const levels = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

export function kafkaJsConfig(config: BrokerConfig, options: KafkaClientOptions = {}): KafkaConfig {
  const kafkaConfig: KafkaConfig = {
    brokers: config.brokers,
    clientId: config.clientId || 'stream-smarts',
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30000,
    logLevel: levels[options.logLevel ?? 'warn'],
    logCreator: kafkaLogCreator(options.logger ?? silentLogger),
    retry: { initialRetryTime: 300, retries: options.retries ?? 8, maxRetryTime: 10000 },
  };
  if (config.tls) kafkaConfig.ssl = tlsOptions(config.tls);
  if (config.sasl) {
    kafkaConfig.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  }
  return kafkaConfig;
}

export function createKafkaClient(config: BrokerConfig, options: KafkaClientOptions = {}): KafkaClient {
  const kafkaConfig = kafkaJsConfig(config, options);
  const kafka = new Kafka(kafkaConfig);
  // the same TLS options kafkajs got (read once: a CA or certificate path is not read again per connect)
  const ssl = typeof kafkaConfig.ssl === 'object' ? kafkaConfig.ssl : undefined;
  const verifyTls = async (): Promise<void> => {
    if (ssl) await probeTls(config.brokers, ssl, kafkaConfig.connectionTimeout ?? 3000);
  };
  return {
    config,
    kafkajs: kafka,
    verifyTls,
    producerTransport: () => kafkaProducerTransport(kafka, verifyTls),
    transactionTransport: (options) => transactionalTransport(kafka, options),
    async checkConnection() {
      const admin = kafka.admin();
      try {
        await verifyTls();
        await admin.connect();
        await admin.describeCluster();
      } catch (error) {
        throw toKafkaError(error);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    async createTopic(topic, partitions) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        return await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      } catch (error) {
        throw toKafkaError(error);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

function kafkaProducerTransport(kafka: Kafka, verifyTls: () => Promise<void>): ProducerTransport {
  // The partitioner tells which partition each message went to, so each record gets its own offset.
  const partitionOf = new WeakMap<Message, number>();
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: () => {
      const partition = Partitioners.DefaultPartitioner();
      return (args) => {
        const chosen = partition(args);
        partitionOf.set(args.message, chosen);
        return chosen;
      };
    },
  });
  return {
    async connect() {
      try {
        await verifyTls();
        await producer.connect();
      } catch (error) {
        throw toKafkaError(error);
      }
    },
    async send(records) {
      const messages = records.map((record): Message => {
        const message: Message = { key: record.key ?? null, value: record.value };
        if (record.partition !== undefined) message.partition = record.partition;
        if (record.headers) message.headers = record.headers;
        return message;
      });
      const byTopic = new Map<string, Message[]>();
      records.forEach((record, index) => {
        const list = byTopic.get(record.topic) ?? [];
        list.push(messages[index] as Message);
        byTopic.set(record.topic, list);
      });
      let metadata;
      try {
        metadata = await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
        });
      } catch (error) {
        throw toKafkaError(error);
      }
      const next = new Map<string, bigint>();
      for (const entry of metadata) {
        next.set(`${entry.topicName}\u0000${entry.partition}`, BigInt(entry.baseOffset ?? entry.offset ?? '0'));
      }
      return records.map((record, index) => {
        const partition = record.partition ?? partitionOf.get(messages[index] as Message) ?? 0;
        const slot = `${record.topic}\u0000${partition}`;
        const offset = next.get(slot) ?? 0n;
        next.set(slot, offset + 1n);
        return { topic: record.topic, partition, offset: offset.toString() };
      });
    },
    async disconnect() {
      await producer.disconnect();
    },
    onConnectionChange(listener) {
      producer.on(producer.events.CONNECT, () => listener(true));
      producer.on(producer.events.DISCONNECT, () => listener(false));
    },
  };
}
