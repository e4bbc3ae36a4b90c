import { hostname } from 'node:os';
import { toKafkaError, type KafkaError } from '../kafka/errors';
import { isFatalTransactionError, type TransactionalOutput } from '../kafka/transactional-output';
import { retry } from '../retry';

export type DeliveryMode = 'exactly-once' | 'at-least-once';

/** The worker's transactional id: its group and an instance name that stays the same across its restarts. */
export function transactionalIdOf(groupId: string, instanceId?: string): string {
  return `${groupId}-tx-${instanceId ?? `${hostname()}-${process.pid}`}`;
}

export interface DeliveryChoice {
  mode: DeliveryMode;
  /** Why exactly-once was asked for and is not used (the broker's answer). */
  refused?: KafkaError;
}

/**
 * Initialises the transactional producer (retrying while the broker is unreachable): exactly-once
 * when the broker takes the transactional id, at-least-once (said in the log) when it refuses it.
 */
export async function chooseDelivery(
  output: TransactionalOutput | null,
  context: { transactionalId: string; log: (line: string) => void; signal?: AbortSignal | undefined },
): Promise<DeliveryChoice> {
  if (!output) return { mode: 'at-least-once' };
  const signal = context.signal;
  if (signal?.aborted) return { mode: 'at-least-once' };
  const aborted = new Promise<'aborted'>((resolve) => signal?.addEventListener('abort', () => resolve('aborted'), { once: true }));
  try {
    const outcome = await Promise.race([
      retry(() => output.connect(), {
        ...(signal ? { signal } : {}),
        shouldRetry: (error) => {
          const failure = toKafkaError(error);
          return failure.retriable && !isFatalTransactionError(failure);
        },
        onRetry: (error, attempt) => {
          if (attempt === 0) context.log(`worker: waiting for the broker to initialise transactional id ${context.transactionalId}: ${toKafkaError(error).message}`);
        },
      }),
      aborted,
    ]);
    return { mode: outcome === 'aborted' ? 'at-least-once' : 'exactly-once' };
  } catch (error) {
    const refused = toKafkaError(error);
    if (signal?.aborted) return { mode: 'at-least-once' };
    context.log(`worker: exactly-once unavailable: the broker refused transactional id ${context.transactionalId} (${refused.message}); falling back to at-least-once (duplicates possible after a crash, none lost)`);
    await output.close().catch(() => undefined);
    return { mode: 'at-least-once', refused };
  }
}
