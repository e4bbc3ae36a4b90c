import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import type { CliIo } from '../../../../core/cli/command';

function capture(): { io: CliIo; err: () => string } {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdin: new PassThrough(), stdout: new PassThrough(), stderr }, err: () => err };
}

// Sending is proved against the real broker in test/integration/kafka/load.test.ts.
describe('stream-smarts load arguments', () => {
  for (const [args, message] of [
    [[], /--brokers is required/],
    [['--brokers', 'localhost'], /--brokers: 'localhost' is not host:port/],
    [['--brokers', 'h:1', '--format', 'xml'], /--format must be avro or json/],
    [['--brokers', 'h:1', '--rate', '0'], /--rate must be a positive number/],
    [['--brokers', 'h:1', '--topic', 'bad topic'], /not a valid Kafka topic name/],
    [['--brokers', 'h:1', '--registry', 'ftp://x'], /--registry must be an http\(s\) URL/],
    [['--brokers', 'h:1', '--format', 'json', '--registry', 'http://r'], /only applies to --format avro/],
    [['--brokers', 'h:1', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    it(`refuses ${args.join(' ') || 'no arguments'} with exit code 2`, async () => {
      const io = capture();
      assert.equal(await main(['load', ...args], io.io), 2);
      assert.match(io.err(), message);
    });
  }

  it('is listed in the overview', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await main(['--help'], { stdin: new PassThrough(), stdout, stderr: new PassThrough() });
    assert.match(out, /load\s+produce JSON-line readings/);
  });
});
