import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadModelDir } from '../../../../core/anomaly/model/model-dir';
import { main } from '../../../../core/cli/main';
import { dataDir, londonHome } from '../anomaly/fixtures';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out, err: () => err };
}

describe('stream-smarts train', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-train-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('trains from a real data file as published: progress bar, summary, model dir, HTML report with an SVG chart', async () => {
    const text = await readFile(join(dataDir, londonHome), 'utf8');
    const input = join(dir, 'london.csv');
    await writeFile(input, text.split('\n').slice(0, 1 + 48 * 70).join('\n'));
    const model = join(dir, 'model');
    const capture = io();
    const code = await main(['train', '--input', input, '--model', model, '--epochs', '3'], capture.io);
    assert.equal(code, 0, capture.err());
    assert.match(capture.err(), /\[#+\] 100%/);
    assert.match(capture.out(), /autoencoder loss: \d/);
    assert.match(capture.out(), /thresholds: point [\d.]+, context [\d.]+, persist [\d.]+, drift [\d.]+/);
    assert.match(capture.out(), /share of training points above threshold: [\d.]+%/);
    const loaded = await loadModelDir(model, { kind: 'energy' });
    assert.equal(loaded.model.type, 'home');
    assert.equal(loaded.metadata.unit, 'Wh');
    assert.ok(loaded.metadata.trainingWindow.from && loaded.metadata.trainingWindow.to);
    const html = await readFile(join(model, 'report.html'), 'utf8');
    assert.match(html, /<svg[^>]*>[\s\S]*<path d="M/);
  });

  it('trains from JSON lines with named columns', async () => {
    const start = Date.UTC(2024, 0, 1);
    const lines = Array.from({ length: 24 * 21 }, (_, i) => JSON.stringify({ time: new Date(start + i * 3_600_000).toISOString(), watts: 200 + 100 * Math.sin(i / 4) }));
    const input = join(dir, 'series.jsonl');
    await writeFile(input, lines.join('\n'));
    const capture = io();
    const code = await main(['train', '--input', input, '--model', join(dir, 'json-model'), '--time-col', 'time', '--value-col', 'watts', '--kind', 'power', '--epochs', '2'], capture.io);
    assert.equal(code, 0, capture.err());
    assert.equal((await loadModelDir(join(dir, 'json-model'))).metadata.kind, 'power');
  });

  it('rejects bad input with exit codes: 2 for usage, 1 for data', async () => {
    assert.equal(await main(['train', '--model', join(dir, 'm')], io().io), 2);
    assert.equal(await main(['train', '--input', 'x', '--model', join(dir, 'm'), '--kind', 'plasma'], io().io), 2);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n');
    const capture = io();
    assert.equal(await main(['train', '--input', bad, '--model', join(dir, 'm')], capture.io), 1);
    assert.match(capture.err(), /line 3: 'yesterday' is not a timestamp/);
    const short = join(dir, 'short.csv');
    await writeFile(short, '2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\n');
    assert.equal(await main(['train', '--input', short, '--model', join(dir, 'm')], io().io), 1);
    const unit = io();
    const input = join(dir, 'london.csv');
    assert.equal(await main(['train', '--input', input, '--model', join(dir, 'm'), '--unit', 'furlongs'], unit.io), 1);
    assert.match(unit.err(), /unit 'furlongs'/);
  });

  it('trains on rows out of order and with duplicate timestamps: sorts, keeps the last value, says how many', async () => {
    const start = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 24 * 21 }, (_, i) => ({ ts: start + i * 3_600_000, value: 200 + 100 * Math.sin(i / 4) }));
    for (let i = 100; i < 200; i += 10) [rows[i], rows[i + 1]] = [rows[i + 1]!, rows[i]!]; // 10 rows come after a later one
    const lines = rows.map((row) => `${row.ts},${row.value.toFixed(2)}`);
    lines.splice(50, 0, `${start + 40 * 3_600_000},1`, `${start + 41 * 3_600_000},1`); // repeats of earlier rows
    const input = join(dir, 'messy.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const capture = io();
    const code = await main(['train', '--input', input, '--model', join(dir, 'messy-model'), '--kind', 'power', '--epochs', '1'], capture.io);
    assert.equal(code, 0, capture.err());
    assert.match(capture.out(), /out of order \(sorted\): 12\n/);
    assert.match(capture.out(), /duplicate timestamps dropped \(last value kept\): 2\n/);
  });
});
