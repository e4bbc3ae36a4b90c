import type { ConsumedMessage, Delivery, ProduceRecord } from '../kafka/types';

/** Where what can never be decoded goes (a BufferedProducer). */
export interface DeadLetterSink {
  readonly topic: string;
  send(record: ProduceRecord): Promise<Delivery>;
}

/** The message as it came, with why it was refused and where it came from in its headers. */
export function deadLetterRecord(topic: string, message: ConsumedMessage, reason: string): ProduceRecord {
  return {
    topic,
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      'x-error': reason,
      'x-source-topic': message.topic,
      'x-source-partition': String(message.partition),
      'x-source-offset': message.offset,
    },
  };
}
