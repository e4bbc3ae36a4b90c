/** Bytes that are not a value this code can decode, or a value the format does not accept. Never worth retrying. */
export class ValueFormatError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ValueFormatError';
  }
}

/** A schema registry call failed; `retriable` says whether the same call may succeed later. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
