/**
 * The one retry policy of core/: exponential backoff with jitter, capped, and a loop that
 * retries what `isRetriable` says may succeed later and gives up at once on anything else.
 */
import { isRetriable } from './errors';

export interface BackoffOptions {
  /** First delay (default 500 ms). */
  initialMs?: number;
  /** Longest delay (default 10 s). */
  maxMs?: number;
  /** Share of the delay added at random, so that many clients do not retry in step (default 0.2). */
  jitter?: number;
  random?: () => number;
}

/** Delay before retry number `attempt` (0 for the first retry): initial × 2^attempt, capped, plus jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 10_000;
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt));
  const jitter = (options.random ?? Math.random)() * (options.jitter ?? 0.2) * base;
  return Math.round(Math.min(max, base + jitter));
}

/** Resolves after `ms`, or at once (false) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions extends BackoffOptions {
  /** Stops retrying: the last error is thrown. */
  signal?: AbortSignal;
  /** Most retries (default: no limit, until the signal aborts). */
  retries?: number;
  /** Which errors are worth another try (default: `isRetriable`). */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to show "retrying" on a node's status. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `operation` until it succeeds, retrying retriable failures with backoff. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetriable;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!shouldRetry(error) || options.signal?.aborted || (options.retries !== undefined && attempt >= options.retries)) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt, delay);
      if (!(await sleep(delay, options.signal))) throw error;
    }
  }
}
