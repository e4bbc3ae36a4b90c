import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import { adversarialCases } from '../anomaly/scoring/adversarial-cases';
import { home, londonHome } from '../anomaly/fixtures';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out, err: () => err };
}

function stamp(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:00`;
}

describe('stream-smarts detect', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-detect-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('streams every row with anomaly_score and score, flags an injected night spike, and never looks ahead', async () => {
    const series = home(londonHome, 35);
    const spikeIndex = series.rows.findIndex((row, i) => i >= series.rows.length - 250 && new Date(row.ts).getHours() === 3);
    const spikeTs = series.rows[spikeIndex]!.ts;
    const lines = series.rows.map((row, i) => `${stamp(row.ts)},${(row.value + (i === spikeIndex ? 2 : 0)).toFixed(3)}`);
    const input = join(dir, 'in.csv');
    await writeFile(input, `timestamp,value\n${lines.join('\n')}\n`);
    const output = join(dir, 'out.csv');
    const capture = io();
    const code = await main(['detect', '--input', input, '--output', output, '--kind', 'energy', '--unit', 'kWh', '--retrain-days', '14'], capture.io);
    assert.equal(code, 0, capture.err());
    const rows = (await readFile(output, 'utf8')).trim().split('\n');
    assert.equal(rows[0], 'timestamp,value,anomaly_score,score');
    assert.equal(rows.length - 1, lines.length);
    const parsed = rows.slice(1).map((row) => row.split(','));
    for (const cells of parsed) {
      const probability = Number(cells[2]);
      assert.ok(probability >= 0 && probability <= 1);
    }
    const spikeRow = parsed[spikeIndex]!;
    assert.equal(spikeRow[0], stamp(spikeTs));
    assert.ok(Number(spikeRow[3]) > 1, `spike score ${spikeRow[3]}`);

    // No look-ahead: the same prefix alone gives the same scores for its rows.
    const prefix = join(dir, 'prefix.csv');
    await writeFile(prefix, `${lines.slice(0, spikeIndex + 1).join('\n')}\n`);
    const prefixOut = join(dir, 'prefix-out.csv');
    assert.equal(await main(['detect', '--input', prefix, '--output', prefixOut, '--kind', 'energy', '--unit', 'kWh', '--retrain-days', '14'], io().io), 0);
    const prefixRows = (await readFile(prefixOut, 'utf8')).trim().split('\n').slice(1);
    assert.deepEqual(prefixRows, rows.slice(1, spikeIndex + 2));
  });

  it('handles any numeric series with gaps, two-sided', async () => {
    const start = Date.UTC(2024, 0, 1);
    const lines: string[] = [];
    for (let i = 0; i < 24 * 20; i += 1) {
      if (i % 50 === 7) continue; // gaps
      const value = 20 + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 13;
      lines.push(`${start + i * 3_600_000},${(i === 24 * 19 ? -40 : value).toFixed(3)}`);
    }
    const input = join(dir, 'temp.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const output = join(dir, 'temp-out.csv');
    assert.equal(await main(['detect', '--input', input, '--output', output], io().io), 0);
    const rows = (await readFile(output, 'utf8')).trim().split('\n').slice(1);
    assert.equal(rows.length, lines.length);
    const dip = rows.find((row) => row.startsWith(`${start + 24 * 19 * 3_600_000},`));
    assert.ok(dip && Number(dip.split(',')[3]) > 1, `dip row ${dip}`);
  });

  it('--sensitivity low divides every learnt score by 1.6 against high; an unknown one is a usage error', async () => {
    const start = Date.UTC(2024, 0, 1);
    const lines: string[] = [];
    for (let i = 0; i < 24 * 20; i += 1) lines.push(`${start + i * 3_600_000},${(20 + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 13).toFixed(3)}`);
    const input = join(dir, 'sensitivity.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const scores = async (sensitivity: string) => {
      const output = join(dir, `sensitivity-${sensitivity}.csv`);
      assert.equal(await main(['detect', '--input', input, '--output', output, '--sensitivity', sensitivity], io().io), 0);
      return (await readFile(output, 'utf8')).trim().split('\n').slice(1).map((row) => Number(row.split(',')[3]));
    };
    const high = await scores('high');
    const low = await scores('low');
    const learnt = high.map((score, i) => [score, low[i] as number] as const).filter(([score]) => score > 0.05);
    assert.ok(learnt.length > 24, `${learnt.length} rows scored by a learnt model`);
    for (const [h, l] of learnt) assert.ok(Math.abs(h - 1.6 * l) <= 2e-6, `high ${h}, low ${l}`); // 6 decimals in the file
    const bad = io();
    assert.equal(await main(['detect', '--input', input, '--output', join(dir, 'x.csv'), '--sensitivity', 'paranoid'], bad.io), 2);
    assert.match(bad.err(), /--sensitivity must be one of high, normal, low/);
  });

  it('rejects bad input with exit codes: 2 for usage, 1 for data', async () => {
    assert.equal(await main(['detect', '--input', 'x.csv'], io().io), 2);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, '2024-01-01 00:00:00,1\n2024-01-01 01:00:00,abc\n');
    const capture = io();
    assert.equal(await main(['detect', '--input', bad, '--output', join(dir, 'bad-out.csv')], capture.io), 1);
    assert.match(capture.err(), /line 2: value 'abc' is not a number/);
    const missing = io();
    assert.equal(await main(['detect', '--input', join(dir, 'none.csv'), '--output', join(dir, 'o.csv')], missing.io), 1);
    assert.match(missing.err(), /ENOENT/);
  });

  it('writes a finite score and anomaly_score in [0, 1] for every row of adversarial series, backwards ones too', async () => {
    for (const c of adversarialCases(6)) {
      const input = join(dir, 'adversarial.csv');
      await writeFile(input, `timestamp,value\n${c.points.map((point) => `${point.ts},${point.value}`).join('\n')}\n`);
      const output = join(dir, 'adversarial-out.csv');
      for (const kind of ['energy', 'other']) {
        const capture = io();
        const code = await main(['detect', '--input', input, '--output', output, '--kind', kind, '--unit', kind === 'energy' ? 'kWh' : ''], capture.io);
        assert.equal(code, 0, `${c.name} (${kind}): ${capture.err()}`);
        const rows = (await readFile(output, 'utf8')).trim().split('\n').slice(1);
        assert.equal(rows.length, c.points.length, c.name);
        rows.forEach((row, i) => {
          const [, , probability, score] = row.split(',').map(Number);
          assert.ok(Number.isFinite(score) && Number.isFinite(probability) && probability! >= 0 && probability! <= 1, `${c.name} (${kind}) row ${i + 1}: ${row}`);
        });
      }
    }
  });

  describe('messy time: one output row per input row, in input order, exit 0', () => {
    const start = Date.UTC(2024, 0, 1);
    const hour = 3_600_000;
    const valueAt = (i: number) => 20 + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 13;

    async function detectRows(name: string, stamps: readonly number[]): Promise<{ inputs: string[]; rows: string[][]; err: string }> {
      const inputs = stamps.map((ts, i) => `${ts},${valueAt(i).toFixed(3)}`);
      const input = join(dir, `${name}.csv`);
      await writeFile(input, `timestamp,value\n${inputs.join('\n')}\n`);
      const output = join(dir, `${name}-out.csv`);
      const capture = io();
      assert.equal(await main(['detect', '--input', input, '--output', output], capture.io), 0, capture.err());
      const rows = (await readFile(output, 'utf8')).trim().split('\n').slice(1).map((row) => row.split(','));
      assert.equal(rows.length, inputs.length);
      rows.forEach((cells, i) => {
        assert.equal(`${cells[0]},${cells[1]}`, inputs[i], `row ${i + 1} in input order`);
        assert.ok(Number.isFinite(Number(cells[3])), `row ${i + 1}: ${cells.join(',')}`);
      });
      return { inputs, rows, err: capture.err() };
    }

    it('a clock that jumps back one hour', async () => {
      const stamps = Array.from({ length: 24 * 20 }, (_, i) => start + i * hour - (i >= 24 * 16 ? hour : 0));
      const { err } = await detectRows('jump-back', stamps);
      assert.match(err, /, 1 late /);
    });

    it('out-of-order rows', async () => {
      const stamps = Array.from({ length: 24 * 20 }, (_, i) => start + i * hour);
      for (let i = 24 * 15; i < stamps.length - 1; i += 10) [stamps[i], stamps[i + 1]] = [stamps[i + 1] as number, stamps[i] as number];
      const { err } = await detectRows('out-of-order', stamps);
      assert.match(err, / 12 late /);
    });

    it('duplicate timestamps', async () => {
      const stamps = Array.from({ length: 24 * 20 }, (_, i) => start + (i - Math.floor(i / 48)) * hour);
      const { err } = await detectRows('duplicates', stamps);
      assert.match(err, / 9 late /);
    });

    it('a gap of three days', async () => {
      const stamps = Array.from({ length: 24 * 20 }, (_, i) => start + i * hour + (i >= 24 * 16 ? 3 * 24 * hour : 0));
      const { err } = await detectRows('gap', stamps);
      assert.match(err, / 0 late /);
    });

    it('irregular spacing', async () => {
      let ts = start;
      const stamps = Array.from({ length: 24 * 20 }, (_, i) => (ts += hour * (0.25 + ((i * 7919) % 7) / 4)));
      await detectRows('irregular', stamps);
    });
  });
});
