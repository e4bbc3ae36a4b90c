/**
 * The one error base of core/: every error a caller may act on says whether the same operation
 * may succeed later (`retriable`: a broker or Home Assistant out of reach, the schema registry
 * down) or never will (bad credentials, malformed bytes, a wrong configuration).
 */
export class StreamSmartsError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable;
  }
}

/** Whether trying again may help: the error's own `retriable` flag (kafkajs sets one too); unknown errors are not. */
export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}
