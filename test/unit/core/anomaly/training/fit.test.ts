import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fitHomeModel, orderedHistory } from '../../../../../core/anomaly/training/fit';

const hour = 3_600_000;
const start = Date.UTC(2024, 0, 1);

describe('training on messy time', () => {
  it('sorts the history, keeps the last value given for a timestamp and counts both', () => {
    const { points, outOfOrder, duplicatesDropped } = orderedHistory([
      { ts: start + 2 * hour, rate: 2 },
      { ts: start, rate: 0 },
      { ts: start + hour, rate: 1 },
      { ts: start + hour, rate: 10 },
      { ts: start + 3 * hour, rate: 3 },
    ]);
    assert.deepEqual(points, [
      { ts: start, rate: 0 },
      { ts: start + hour, rate: 10 },
      { ts: start + 2 * hour, rate: 2 },
      { ts: start + 3 * hour, rate: 3 },
    ]);
    assert.equal(outOfOrder, 3);
    assert.equal(duplicatesDropped, 1);
  });

  it('fits from unsorted input with duplicates exactly as from the clean series, and reports them', async () => {
    const clean = Array.from({ length: 24 * 21 }, (_, i) => ({ ts: start + i * hour, rate: 200 + 100 * Math.sin(i / 4) }));
    const messy = [...clean].reverse();
    messy.splice(10, 0, { ts: start + 5 * hour, rate: 1e6 }); // a stale repeat of that hour, superseded by the last one
    messy.push({ ts: start + 5 * hour, rate: (clean[5] as { rate: number }).rate });
    const options = { readingKind: 'power' as const, unit: 'W', intervalS: 3600, withoutAutoencoder: true };
    const fromClean = await fitHomeModel(clean, options);
    const fromMessy = await fitHomeModel(messy, options);
    assert.deepEqual(fromMessy.params, fromClean.params);
    assert.equal(fromMessy.report.points, fromClean.report.points);
    assert.equal(fromMessy.report.duplicatesDropped, 2);
    assert.ok(fromMessy.report.outOfOrder > 0);
    assert.equal(fromClean.report.outOfOrder + fromClean.report.duplicatesDropped, 0);
  });
});
