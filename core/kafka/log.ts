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

/** Routes kafkajs log entries to a logger at the same level. */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () => (entry: LogEntry) => {
    const line = formatLogEntry(entry);
    if (notApplicable.has(entry.log.message)) {
      logger.debug(line);
      return;
    }
    switch (entry.level) {
      case logLevel.ERROR:
        logger.error(line);
        break;
      case logLevel.WARN:
        logger.warn(line);
        break;
      case logLevel.INFO:
        logger.info(line);
        break;
      default:
        logger.debug(line);
    }
  };
}
