import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { KafkaLogger } from './types';

/** Fields of kafkajs log entries worth showing; everything else (configs, SASL state) stays out. */
const shownFields = ['broker', 'clientId', 'groupId', 'topic', 'partition', 'error', 'retryCount', 'retryTime'] as const;

export function formatLogEntry(entry: LogEntry): string {
  const details: string[] = [];
  for (const field of shownFields) {
    const value: unknown = entry.log[field];
    if (value !== undefined && value !== null && value !== '') details.push(`${field}=${String(value)}`);
  }
  const text = `kafkajs ${entry.namespace}: ${entry.log.message}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
  return redactSecrets(text);
}

/** Defence in depth: kafkajs does not log passwords, but nothing that looks like one leaves here. */
export function redactSecrets(text: string): string {
  return text.replace(/(password|passwd|secret|token|authorization)(["']?\s*[:=]\s*["']?)[^\s,"'}]+/gi, '$1$2***');
}

/**
 * kafkajs warns whenever an idempotent producer has bounded retries. BufferedProducer retries a
 * failed batch itself on the same producer, and kafkajs advances sequence numbers only on success,
 * so the broker still de-duplicates: the warning does not apply here and is logged as debug.
 */
const notApplicable = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * Broker answers that kafkajs refreshes metadata for and retries by itself: a topic being
 * auto-created on its first send (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE), a leader or
 * group coordinator moving or loading, a group rebalancing. kafkajs logs each attempt as an error;
 * they are routine on a healthy start and logged as debug. If the retries run out, the send or
 * the consumer fails and the node reports that error itself.
 */
export const transientBrokerErrors = new Set([
  'This server does not host this topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'The preferred leader was not available',
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'The group is rebalancing, so a rejoin is needed',
]);

/** A consumer rejoining its group after a rebalance: kafkajs warns, but this is how groups work. */
const routineNotices = new Set(['The group is rebalancing, re-joining']);

function isTransient(entry: LogEntry): boolean {
  const error: unknown = entry.log.error;
  if (typeof error === 'string' && transientBrokerErrors.has(error)) return true;
  const message = entry.log.message.replace(/^Failed to send messages: /, '');
  return transientBrokerErrors.has(message);
}

export type KafkaLogLevel = keyof KafkaLogger;

/** The level a kafkajs entry is shown at: its own, except the routine ones above. */
export function shownLevel(entry: LogEntry): KafkaLogLevel {
  if (notApplicable.has(entry.log.message) || isTransient(entry)) return 'debug';
  if (routineNotices.has(entry.log.message)) return 'info';
  switch (entry.level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

/** Routes kafkajs log entries to a logger, at the level shownLevel gives. */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () => (entry: LogEntry) => {
    logger[shownLevel(entry)](formatLogEntry(entry));
  };
}
