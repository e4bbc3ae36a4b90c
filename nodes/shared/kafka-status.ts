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

/**
 * Sets a node's status at most every `intervalMs` (the last one always lands), so a busy
 * consumer or producer does not flood the editor with status updates; repeats are dropped.
 */
export function throttledStatus(setStatus: (status: NodeStatus) => void, intervalMs = 250): (status: NodeStatus) => void {
  let last = '';
  let lastAt = 0;
  let pending: NodeStatus | undefined;
  let timer: NodeJS.Timeout | undefined;
  const apply = (status: NodeStatus): void => {
    const key = JSON.stringify(status);
    lastAt = Date.now();
    if (key === last) return;
    last = key;
    setStatus(status);
  };
  return (status) => {
    const wait = lastAt + intervalMs - Date.now();
    if (wait <= 0 && !timer) {
      apply(status);
      return;
    }
    pending = status;
    timer ??= setTimeout(() => {
      timer = undefined;
      if (pending) apply(pending);
      pending = undefined;
    }, Math.max(wait, 0));
    timer.unref();
  };
}
