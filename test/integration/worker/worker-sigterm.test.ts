import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

const distRoot = join(__dirname, '..', '..', '..');

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// The broker is unreachable: the worker is still retrying its connection when SIGTERM comes, and
// must stop anyway (before, it waited for the broker forever and only SIGKILL ended it).
describe('stream-smarts worker: SIGTERM while the broker is unreachable', { timeout: 60_000 }, () => {
  let port = 0;
  before(async () => {
    port = await closedPort();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits on ${signal} with a clear line`, async () => {
      const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(distRoot, 'core', 'cli', 'main.js'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, 'worker', '--brokers', `127.0.0.1:${port}`, '--in', 'sigterm-in', '--out', 'sigterm-out'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // wait until it is retrying the connection
      const deadline = Date.now() + 20_000;
      while (!/ECONNREFUSED/.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.match(stderr, /ECONNREFUSED/, 'the worker should be trying to connect');
      child.kill(signal);
      // bounded: the worker's stop gives up after 10 s; a worker that ignored the signal is killed here and fails
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exit;
      clearTimeout(killer);
      assert.notEqual(child.signalCode, 'SIGKILL', `the worker ignored ${signal}:\n${stderr}`);
      assert.equal(code, 0);
      assert.match(stderr, new RegExp(`worker: ${signal}: stopping`));
      assert.match(stderr, /worker: stopped after scoring 0 reading\(s\)/);
    });
  }
});
