/** Exponential backoff with jitter, capped: 1 s, 2 s, 4 s ... up to maxMs. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const jitter = (options.random ?? Math.random)() * 0.2 * base;
  return Math.round(Math.min(options.maxMs, base + jitter));
}
