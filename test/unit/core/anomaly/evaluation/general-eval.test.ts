import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import {
  evaluateGeneral,
  formatGeneralEval,
  heldOutMarker,
  heldOutOverall,
  loadLabelledSources,
  tunedOverall,
  type GeneralEvalDetector,
  type LabelledSeries,
} from '../../../../../core/anomaly/evaluation/general-eval';
import { testDataDir } from '../../../../support/test-data';

/** 400 readings at 1-minute steps, a labelled run at 300-309 (a step up by 10). */
function csv(): string {
  const lines = ['ts,value,label'];
  for (let i = 0; i < 400; i += 1) lines.push(`${1_609_459_200_000 + i * 60_000},${i >= 300 && i < 310 ? 10 : 0},${i >= 300 && i < 310 ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

/** Alerts where the reading is above 5: exactly the labelled run. */
const oracle: GeneralEvalDetector = { name: 'oracle', run: (series) => series.values.map((value) => (value > 5 ? 2 : 0)) };
const silent: GeneralEvalDetector = { name: 'silent', run: (series) => series.values.map(() => 0) };

function series(source: string, heldOut: boolean): LabelledSeries {
  const values = Array.from({ length: 400 }, (_, i) => (i >= 300 && i < 310 ? 10 : 0));
  return { source, name: `${source}-1`, ts: values.map((_, i) => i * 60_000), values, labels: values.map((value) => (value > 5 ? 1 : 0)), heldOut };
}

describe('general eval (npm run eval -- --general): held-out sources', () => {
  it('reads .csv, .csv.gz and .csv.br alike and marks a folder with a HELD-OUT file as held out', () => {
    const root = mkdtempSync(join(tmpdir(), 'general-eval-'));
    try {
      const tuned = join(root, 'tuned');
      const held = join(root, 'held');
      for (const folder of [tuned, held]) mkdirSync(folder);
      writeFileSync(join(tuned, 'one.csv'), csv());
      writeFileSync(join(held, 'two.csv.gz'), gzipSync(csv()));
      writeFileSync(join(held, 'three.csv.br'), brotliCompressSync(csv()));
      writeFileSync(join(held, heldOutMarker), 'never tuned on\n');
      const loaded = loadLabelledSources(root);
      assert.deepEqual(
        loaded.map((one) => [one.source, one.name, one.heldOut === true, one.values.length, one.labels.reduce((sum, label) => sum + label, 0)]),
        [
          ['held', 'three', true, 400, 10],
          ['held', 'two', true, 400, 10],
          ['tuned', 'one', false, 400, 10],
        ],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('averages the tuned-on sources only, reports the held-out ones apart and prints them after, marked', () => {
    const all = [series('a', false), series('b', false), series('smd', true)];
    const rows = evaluateGeneral(all, [oracle, silent]);
    assert.deepEqual(
      rows.map((row) => [row.source, row.heldOut, row.detector, row.files]),
      [
        ['a', false, 'oracle', 1],
        ['b', false, 'oracle', 1],
        [tunedOverall, false, 'oracle', 2],
        ['a', false, 'silent', 1],
        ['b', false, 'silent', 1],
        [tunedOverall, false, 'silent', 2],
        ['smd', true, 'oracle', 1],
        ['smd', true, 'silent', 1],
      ],
    );
    const score = (source: string, detector: string): number | undefined => rows.find((row) => row.source === source && row.detector === detector)?.score;
    assert.ok((score('smd', 'oracle') ?? 0) > 90, 'the oracle scores near 100 on the held-out source');
    assert.equal(score('smd', 'silent'), 0);
    const table = formatGeneralEval(rows).split('\n');
    assert.match(table[0] ?? '', /\| source \| held out \| detector \|/);
    const firstHeld = table.findIndex((line) => line.includes('yes (never tuned on)'));
    const lastTuned = table.map((line) => line.includes('| no |')).lastIndexOf(true);
    assert.ok(firstHeld > lastTuned, 'held-out rows come after every tuned-on row');
    assert.equal(table.filter((line) => line.startsWith('| smd | yes (never tuned on) |')).length, 2);

    const two = evaluateGeneral([...all, series('other', true)], [silent]);
    assert.deepEqual(
      two.filter((row) => row.heldOut).map((row) => [row.source, row.files]),
      [
        ['smd', 1],
        ['other', 1],
        [heldOutOverall, 2],
      ],
    );
  });

  it('ships the public sources: aiops-kpi, skab, smd (18 series) and ucr tuned on; nasa (41) held out, each series with labelled rows', () => {
    const loaded = loadLabelledSources(join(testDataDir(), 'general'));
    const bySource = new Map<string, LabelledSeries[]>();
    for (const one of loaded) bySource.set(one.source, [...(bySource.get(one.source) ?? []), one]);
    assert.deepEqual(
      [...bySource.entries()].map(([source, list]) => [source, list.length, list.every((one) => one.heldOut === true)]),
      [
        ['aiops-kpi', 1, false],
        ['nasa', 41, true],
        ['skab', 28, false],
        ['smd', 18, false],
        ['ucr', 4, false],
      ],
    );
    for (const one of bySource.get('smd') ?? []) {
      assert.ok(one.labels.includes(1), `${one.name} has labelled rows`);
      assert.equal(one.labels.slice(0, 3000).includes(1), false, `${one.name}: the train part is unlabelled`);
      assert.ok(one.ts.every((ts, i) => i === 0 || ts - (one.ts[i - 1] as number) === 60_000), `${one.name}: one reading a minute`);
    }
    for (const one of bySource.get('nasa') ?? []) {
      assert.ok(one.labels.includes(1), `${one.name} has labelled rows`);
      assert.ok(new Set(one.values).size >= 100, `${one.name}: at least 100 distinct values (the selection rule)`);
      assert.ok(one.ts.every((ts, i) => i === 0 || ts - (one.ts[i - 1] as number) === 60_000), `${one.name}: one reading a minute`);
    }
  });
});
