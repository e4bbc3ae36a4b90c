import type { NodeStatus } from 'node-red';
import type { KafkaError } from '../../core/kafka/errors';

/** Status texts for Kafka problems: what failed and whether it will be retried. */
export function kafkaErrorStatus(error: KafkaError): NodeStatus {
  switch (error.kind) {
    case 'auth':
      return { fill: 'red', shape: 'ring', text: 'authentication refused (check user/password)' };
    case 'config':
      return { fill: 'red', shape: 'ring', text: `configuration: ${short(error.message)}` };
    case 'connection':
      return { fill: 'yellow', shape: 'ring', text: `broker unreachable, retrying: ${short(error.message)}` };
    default:
      return { fill: error.retriable ? 'yellow' : 'red', shape: 'ring', text: short(error.message) };
  }
}

export function short(text: string, length = 60): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
