import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CliUsageError, type CliIo } from './command';

/**
 * The CLI's one way to write an --output file: into a temporary file beside it, renamed over the
 * target only by commit(). A failed run calls discard(): the temporary file goes and the target
 * is left as it was, never half written. '-' writes to stdout (nothing to commit or discard).
 */
export interface OutputTarget {
  write(text: string): Promise<void>;
  /** Finishes the file and puts it in place. */
  commit(): Promise<void>;
  /** Removes what was written; safe to call after commit (then does nothing) or twice. */
  discard(): Promise<void>;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

async function writeTo(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export async function openOutput(path: string, io: CliIo): Promise<OutputTarget> {
  if (path === '-') {
    return { write: (text) => writeTo(io.stdout, text), commit: async () => undefined, discard: async () => undefined };
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new CliUsageError(`cannot write ${path}: it is a directory`, 1);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx' });
  try {
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
  } catch (error) {
    throw new CliUsageError(`cannot write ${path}: ${reason(error)}`, 1);
  }
  let settled = false;
  return {
    async write(text) {
      try {
        await writeTo(stream, text);
      } catch (error) {
        throw new CliUsageError(`cannot write ${path}: ${reason(error)}`, 1);
      }
    },
    async commit() {
      if (settled) return;
      try {
        await new Promise<void>((resolve, reject) => {
          stream.once('error', reject);
          stream.end(() => resolve());
        });
        await rename(temp, path);
        settled = true;
      } catch (error) {
        throw new CliUsageError(`cannot write ${path}: ${reason(error)}`, 1);
      }
    },
    async discard() {
      if (settled) return;
      settled = true;
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
}
