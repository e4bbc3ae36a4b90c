import type { Node } from 'node-red';
import type { ValueCodec } from '../../core/avro/codec';
import type { KafkaClient } from '../../core/kafka/client';

/** What a smarts-kafka-broker config node offers the producer and consumer nodes. */
export interface KafkaBrokerNode extends Node {
  /** The config node's one kafkajs client (created on first use). Throws a KafkaError for a bad config. */
  kafkaClient(): KafkaClient;
  /** Encoder/decoder, with the schema registry when one is configured. */
  valueCodec(): ValueCodec;
  /** A description without secrets, for status and log lines. */
  describe(): string;
}

export function isKafkaBrokerNode(node: Node | null | undefined): node is KafkaBrokerNode {
  return node !== null && node !== undefined && typeof (node as Partial<KafkaBrokerNode>).kafkaClient === 'function';
}
