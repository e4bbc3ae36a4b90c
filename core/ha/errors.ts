/**
 * Errors of the Home Assistant layer, on core's one error base: each says whether trying again
 * can help (`retriable`), so callers (nodes, queues) decide between retrying, queueing and
 * giving up without string matching.
 */
import { errorMessage, StreamSmartsError } from '../errors';

export abstract class HaError extends StreamSmartsError {
  constructor(message: string, retriable: boolean, cause?: unknown) {
    super(message, { retriable, cause });
  }
}

/** Home Assistant refused the access token: retrying with the same token never helps. */
export class HaAuthError extends HaError {
  constructor(message: string, cause?: unknown) {
    super(message, false, cause);
  }
}

/** Home Assistant is unreachable or the connection dropped: try again later. */
export class HaConnectionError extends HaError {
  constructor(message: string, cause?: unknown) {
    super(message, true, cause);
  }
}

/** A websocket command or REST call was answered with an error (unknown service, bad data). */
export class HaCommandError extends HaError {
  constructor(
    message: string,
    readonly code: string,
    retriable = false,
  ) {
    super(message, retriable);
  }
}

/** The node's own configuration is unusable (no URL, no token, bad entity id). */
export class HaConfigError extends HaError {
  constructor(message: string, cause?: unknown) {
    super(message, false, cause);
  }
}

/** Shapes an error for a log line or a status text without leaking the token. */
export function describeError(error: unknown, secrets: readonly string[] = []): string {
  let text = errorMessage(error);
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join('***');
  }
  return text;
}
