/**
 * Errors of the Home Assistant layer. Each says whether trying again can help, so callers
 * (nodes, queues) decide between retrying, queueing and giving up without string matching.
 */
export abstract class HaError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Home Assistant refused the access token: retrying with the same token never helps. */
export class HaAuthError extends HaError {
  readonly retryable = false;
}

/** Home Assistant is unreachable or the connection dropped: try again later. */
export class HaConnectionError extends HaError {
  readonly retryable = true;
}

/** A websocket command or REST call was answered with an error (unknown service, bad data). */
export class HaCommandError extends HaError {
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly code: string,
    retryable = false,
  ) {
    super(message);
    this.retryable = retryable;
  }
}

/** The node's own configuration is unusable (no URL, no token, bad entity id). */
export class HaConfigError extends HaError {
  readonly retryable = false;
}

/** Shapes an error for a log line or a status text without leaking the token. */
export function describeError(error: unknown, secrets: readonly string[] = []): string {
  let text: string;
  if (error instanceof Error) text = error.message;
  else if (typeof error === 'object' && error !== null && 'message' in error) text = String((error as { message: unknown }).message);
  else text = String(error);
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join('***');
  }
  return text;
}
