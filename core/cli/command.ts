import { StreamSmartsError } from '../errors';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. Throw a CliUsageError for bad arguments or input. */
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * Bad arguments or bad input: printed as one clear line (never a stack trace), exit code 2
 * (usage, or an empty input) or 1 (input that cannot be read or used). Never retriable.
 */
export class CliUsageError extends StreamSmartsError {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message, { retriable: false });
  }
}
