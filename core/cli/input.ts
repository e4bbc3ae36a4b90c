import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CliUsageError, type CliIo } from './command';

/**
 * The CLI's one way to read an input: a file or stdin ('-'), as lines of bounded length.
 * Every bad input becomes one CliUsageError line: a missing file, a directory, binary bytes,
 * a line longer than the limit (named by number and length, never echoed), an empty input.
 */

/** Longest line the CLI reads (bytes, without the line break): 1 MiB. */
export const defaultMaxLineBytes = 1024 * 1024;

export interface InputSource {
  /** How messages name the input: the path, or 'stdin'. */
  readonly name: string;
  readonly stream: NodeJS.ReadableStream;
}

export interface InputLine {
  /** 1-based. */
  readonly lineNo: number;
  readonly text: string;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Opens `path` for reading ('-' is stdin); throws a CliUsageError (exit 1) when it cannot be read as a file. */
export async function openInput(path: string, io: CliIo): Promise<InputSource> {
  if (path === '-') return { name: 'stdin', stream: io.stdin };
  try {
    if ((await stat(path)).isDirectory()) throw new CliUsageError(`cannot read ${path}: it is a directory, not a file`, 1);
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`cannot read ${path}: ${reason(error)}`, 1);
  }
  const stream = createReadStream(path);
  try {
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${reason(error)}`, 1);
  }
  return { name: path, stream };
}

/** stdin as an input source. */
export function stdinInput(io: CliIo): InputSource {
  return { name: 'stdin', stream: io.stdin };
}

export function noDataError(source: InputSource | string, what = 'data rows'): CliUsageError {
  const name = typeof source === 'string' ? source : source.name;
  return new CliUsageError(`${name}: no ${what} (the input is empty${what === 'data rows' ? ' or only a header' : ''})`, 2);
}

function decodeLine(source: InputSource, lineNo: number, bytes: Buffer): string {
  if (bytes.includes(0)) throw new CliUsageError(`${source.name}: line ${lineNo}: binary data (a NUL byte), not text`, 1);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliUsageError(`${source.name}: line ${lineNo}: not UTF-8 text (binary input?)`, 1);
  }
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function tooLong(source: InputSource, lineNo: number, length: number, maxLineBytes: number): CliUsageError {
  return new CliUsageError(`${source.name}: line ${lineNo} is ${length} bytes long, over the limit of ${maxLineBytes} bytes`, 1);
}

/**
 * The lines of `source`, each at most `maxLineBytes` long. An over-long line is counted to its
 * end without being kept (memory stays bounded), then refused with its number and length.
 */
export async function* inputLines(source: InputSource, maxLineBytes = defaultMaxLineBytes): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let lineNo = 0;
  try {
    for await (const chunk of source.stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let start = 0;
      while (start < bytes.length) {
        const newline = bytes.indexOf(10, start);
        const end = newline === -1 ? bytes.length : newline;
        length += end - start;
        if (length <= maxLineBytes) parts.push(bytes.subarray(start, end));
        else parts = [];
        if (newline === -1) break;
        lineNo += 1;
        if (length > maxLineBytes) throw tooLong(source, lineNo, length, maxLineBytes);
        yield { lineNo, text: decodeLine(source, lineNo, Buffer.concat(parts)) };
        parts = [];
        length = 0;
        start = newline + 1;
      }
    }
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`cannot read ${source.name}: ${reason(error)}`, 1);
  }
  if (length === 0) return;
  lineNo += 1;
  if (length > maxLineBytes) throw tooLong(source, lineNo, length, maxLineBytes);
  yield { lineNo, text: decodeLine(source, lineNo, Buffer.concat(parts)) };
}

/** The whole input as text (lines joined by '\n'), with the same bounds and errors as inputLines. */
export async function readInputText(source: InputSource, maxLineBytes = defaultMaxLineBytes): Promise<string> {
  const lines: string[] = [];
  for await (const line of inputLines(source, maxLineBytes)) lines.push(line.text);
  return lines.join('\n');
}
