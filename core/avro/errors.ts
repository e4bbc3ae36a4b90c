import { StreamSmartsError } from '../errors';

/** Bytes that are not a value this code can decode, or a value the format does not accept. Never worth retrying. */
export class ValueFormatError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A schema registry call failed; `retriable` says whether the same call may succeed later. */
export class RegistryError extends StreamSmartsError {
  constructor(
    message: string,
    retriable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, { retriable, cause: options?.cause });
  }
}
