/** Exponential backoff with jitter, capped: the one helper of core/ (core/retry.ts). */
export { backoffDelay, type BackoffOptions } from '../retry';
