import type { NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../core/ha/client';

/** The status dot every HA node shows: the shared connection, plus what the node itself counts. */
export function haConnectionStatus(status: ConnectionStatus | undefined, detail?: string): NodeStatus {
  const suffix = detail ? ` · ${detail}` : '';
  switch (status?.state) {
    case undefined:
      return { fill: 'red', shape: 'ring', text: `no server configured${suffix}` };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: `connecting${status.attempt > 0 ? ` (attempt ${status.attempt + 1})` : ''}${suffix}` };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: `connected${suffix}` };
    case 'disconnected':
      return { fill: 'red', shape: 'ring', text: `disconnected: ${status.reason}${suffix}` };
    case 'auth-failed':
      return { fill: 'red', shape: 'dot', text: `token refused; not retrying${suffix}` };
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: `stopped${suffix}` };
  }
}

/** Calls `apply` at most every `ms`, always with the latest arguments (status updates are chatty). */
export function throttled(apply: () => void, ms = 250): { request(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  return {
    request() {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        apply();
      }, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
