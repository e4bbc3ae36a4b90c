import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import type { CliIo } from '../../../../core/cli/command';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => chunks.out, err: () => chunks.err };
}

describe('stream-smarts main', () => {
  it('prints the overview for --help and exits 0', async () => {
    const capture = captureIo();
    assert.equal(await main(['--help'], capture.io), 0);
    assert.match(capture.out(), /Usage: stream-smarts <command>/);
  });

  it('rejects an unknown command with a clear message and exit code 2', async () => {
    const capture = captureIo();
    assert.equal(await main(['frobnicate'], capture.io), 2);
    assert.match(capture.err(), /unknown command 'frobnicate'/);
  });

  it('exits 2 with the overview when no command is given', async () => {
    const capture = captureIo();
    assert.equal(await main([], capture.io), 2);
    assert.match(capture.out(), /Commands:/);
  });
});
