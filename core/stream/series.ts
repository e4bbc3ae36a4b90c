import type { ConsumedMessage } from '../kafka/types';

/**
 * The series a message belongs to: its key (producers key readings by entity id), or its
 * partition when it has none. Messages of one series are handled one after the other.
 */
export function seriesOf(message: ConsumedMessage): string {
  return message.key ? `k\u0000${message.key.toString('latin1')}` : `p\u0000${message.topic}\u0000${message.partition}`;
}
