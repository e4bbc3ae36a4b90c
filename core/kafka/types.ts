/** A record to produce; the value is already encoded. */
export interface ProduceRecord {
  topic: string;
  /** A fixed partition (e.g. a changelog record on its input partition); otherwise chosen by key. */
  partition?: number;
  key?: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

/** Where the broker stored a record. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Epoch ms as a string, as Kafka carries it. */
  timestamp: string;
  /** The consumer-group generation it was consumed in (counts rebalances; set by GroupConsumer). */
  generation?: number;
}

/** A consumed message handed out by the consumer; `finish` once it is completely handled (also when it failed). */
export interface InFlightMessage {
  readonly message: ConsumedMessage;
  finish(): void;
}

/** Where kafkajs's own log lines go (Node-RED: the node's log). */
export interface KafkaLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export const silentLogger: KafkaLogger = { error() {}, warn() {}, info() {}, debug() {} };
