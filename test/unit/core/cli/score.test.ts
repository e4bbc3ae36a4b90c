import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import type { CliIo } from '../../../../core/cli/command';
import { adversarialCases, assertWellFormed, reading } from '../anomaly/scoring/adversarial-cases';
import { modelsDir, seedDir } from '../anomaly/fixtures';
import type { ScoredReading } from '../../../../core/reading';

function run(args: string[], stdinText: string): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  stdin.end(stdinText);
  const io: CliIo = { stdin, stdout, stderr };
  return main(['score', ...args], io).then((code) => ({ code, out, err }));
}

describe('stream-smarts score', () => {
  it('scores the seed records with models/seed-hour-profile exactly as the UDF did', async () => {
    const cases = (JSON.parse(readFileSync(join(seedDir, 'udf_cases.json'), 'utf8')) as { cases: { hour: number; value: number; score: number }[] }).cases;
    const input = cases.map((c) => JSON.stringify({ hour: c.hour, kwh: c.value })).join('\n');
    const result = await run(['--model', join(modelsDir, 'seed-hour-profile')], `${input}\n`);
    assert.equal(result.code, 0, result.err);
    const lines = result.out.trim().split('\n').map((line) => JSON.parse(line) as { score: number; anomaly: boolean; anomaly_score: number });
    assert.equal(lines.length, cases.length);
    lines.forEach((line, i) => {
      assert.equal(line.score, cases[i]?.score);
      assert.ok(line.anomaly_score >= 0 && line.anomaly_score <= 1);
    });
  });

  it('reports bad lines with their number, scores the rest, exits 1', async () => {
    const result = await run(['--model', join(modelsDir, 'seed-hour-profile')], '{"hour": 4, "kwh": 1500}\nnot json\n{"entity_id": "x", "ts": "soon", "value": 1}\n');
    assert.equal(result.code, 1);
    assert.equal(result.out.trim().split('\n').length, 1);
    assert.match(result.err, /line 2: not valid JSON/);
    assert.match(result.err, /line 3: 'ts' must be a finite number/);
  });

  it('exits 2 without --model and 1 for a directory that is not a model', async () => {
    assert.equal((await run([], '')).code, 2);
    const missing = await run(['--model', join(seedDir)], '');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not a model directory/);
  });

  it('writes a finite score, anomaly_score in [0, 1] and expected for every adversarial reading (sub-second, duplicates, backwards, extremes)', async () => {
    const lines = adversarialCases(5).flatMap((c) => c.points.map((point) => JSON.stringify(reading(point))));
    for (const model of ['default', 'seed-hour-profile']) {
      const result = await run(['--model', join(modelsDir, model)], `${lines.join('\n')}\n`);
      assert.equal(result.code, 0, result.err);
      const out = result.out.trim().split('\n');
      assert.equal(out.length, lines.length);
      out.forEach((line, i) => assertWellFormed(JSON.parse(line) as ScoredReading, `${model} line ${i + 1}`));
    }
  });
});
