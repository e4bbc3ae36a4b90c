import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ValueCodec } from '../../../core/avro/codec';
import { RegistryClient } from '../../../core/avro/registry';
import type { Reading } from '../../../core/reading';
import { seedFile } from '../../support/test-data';
import { stackRegistry } from '../../support/stack';
import { brokers, createTopic, readTopic, topicOffsets, uniqueName } from './support';

const runFile = promisify(execFile);
const root = process.env.STREAM_SMARTS_ROOT ?? join(__dirname, '..', '..', '..', '..');
const seedDay = seedFile('mwh_20180805.json');

/** Runs bin/stream-smarts.js with `input` on stdin (the CLI as a user runs it). */
function runCli(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'stream-smarts.js'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('stream-smarts load on the real broker', () => {
  it('`cat seed | stream-smarts load` puts the 24 seed records on the topic as Avro readings', { timeout: 60000 }, async () => {
    const topic = uniqueName('it-load-seed');
    const { stdout } = await runFile('bash', ['-c', `cat ${seedDay} | node bin/stream-smarts.js load --brokers ${brokers().join(',')} --topic ${topic}`], { cwd: root });
    assert.equal(stdout.trim(), 'sent 24, rejected 0');
    const records = await readTopic(topic, 24);
    assert.equal(records.length, 24);
    const codec = new ValueCodec();
    const decoded = await Promise.all(records.map(async (record) => (await codec.decode(record.value)).value as Reading));
    const seed = readFileSync(seedDay, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { hour: number; mwh: number });
    assert.deepEqual(decoded.map((reading) => [reading.hour, reading.value]), seed.map((row) => [row.hour, row.mwh]));
    assert.ok(decoded.every((reading) => reading.entity_id === 'seed.power' && reading.unit === 'Wh' && new Date(reading.ts).getHours() === reading.hour));
    assert.ok(records.every((record) => record.key === 'seed.power'));
  });

  it('rejects bad lines with their line numbers (exit 1) and sends the good ones', { timeout: 60000 }, async () => {
    const topic = uniqueName('it-load-bad');
    await createTopic(topic, 1);
    const input = [
      '{"hour": 1, "kwh": 129}',
      '{"hour": 25, "mwh": 1}',
      'not json',
      '',
      '{"entity_id": "sensor.x", "ts": 1700000000000, "value": 5, "unit": "Wh", "kind": "energy"}',
      '{"entity_id": "sensor.x", "ts": "later", "value": 5}',
    ].join('\n');
    const result = await runCli(['load', '--brokers', brokers().join(','), '--topic', topic, '--format', 'json', '--entity', 'sensor.seed'], input);
    assert.equal(result.code, 1);
    assert.equal(result.stdout.trim(), 'sent 2, rejected 3');
    assert.match(result.stderr, /^line 2: 'hour' must be an integer 0-23, got 25$/m);
    assert.match(result.stderr, /^line 3: not JSON/m);
    assert.match(result.stderr, /^line 6: 'ts' must be a finite number/m);
    const records = await readTopic(topic, 2);
    const values = records.map((record) => JSON.parse(record.value.toString()) as Reading);
    assert.deepEqual(values.map((reading) => [reading.entity_id, reading.value]), [['sensor.seed', 129], ['sensor.x', 5]]);
  });

  it('empty stdin (nothing, or only blank lines) with the broker up: one line on stderr, no stack trace, exit 2, nothing produced (docs/bad-input.md #42)', { timeout: 60000 }, async () => {
    const topic = uniqueName('it-load-empty');
    await createTopic(topic, 1);
    for (const input of ['', '\n \n\n']) {
      const result = await runCli(['load', '--brokers', brokers().join(','), '--topic', topic], input);
      assert.equal(result.code, 2, JSON.stringify(input));
      assert.equal(result.stderr, 'stream-smarts load: stdin: no readings (the input is empty)\n', JSON.stringify(input));
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(await topicOffsets(topic), [{ partition: 0, low: '0', high: '0' }]);
  });

  it('--registry writes the Confluent wire format under <topic>-value', { timeout: 60000 }, async (t) => {
    const registry = stackRegistry();
    if ('skip' in registry) {
      t.skip(registry.skip);
      return;
    }
    const topic = uniqueName('it-load-registry');
    const result = await runCli(['load', '--brokers', brokers().join(','), '--topic', topic, '--registry', registry.url], '{"hour": 4, "kwh": 1500}\n');
    assert.equal(result.stdout.trim(), 'sent 1, rejected 0');
    const [record] = await readTopic(topic, 1);
    assert.equal(record?.value[0], 0);
    const decoded = await new ValueCodec({ registry: new RegistryClient({ url: registry.url }) }).decode(record?.value ?? Buffer.alloc(0));
    assert.equal(decoded.encoding, 'confluent-avro');
    assert.equal((decoded.value as Reading).value, 1500);
  });

  it('an unreachable broker is a clear error, exit 1', { timeout: 60000 }, async () => {
    const result = await runCli(['load', '--brokers', '127.0.0.1:1', '--topic', 'x'], '{"hour": 1, "mwh": 1}\n');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^stream-smarts: .*(ECONNREFUSED|Connection error)/m);
  });
});
