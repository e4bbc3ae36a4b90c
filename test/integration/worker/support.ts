import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const distRoot = join(__dirname, '..', '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  stderr: string;
  exit: Promise<number | null>;
}

/** `stream-smarts worker ARGS` from this tree's dist/, its stderr collected. */
export function spawnWorker(args: string[]): WorkerProcess {
  const main = join(distRoot, 'core', 'cli', 'main.js');
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(main)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, 'worker', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const worker: WorkerProcess = { child, stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stderr?.on('data', (chunk) => (worker.stderr += String(chunk)));
  return worker;
}

/** Polls `check` every 200 ms until it returns a value. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
