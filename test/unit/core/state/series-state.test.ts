import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DefaultModelParams } from '../../../../core/anomaly/model/default-model';
import { loadModelDir } from '../../../../core/anomaly/model/model-dir';
import { SeriesDetector, type SeriesDetectorOptions } from '../../../../core/anomaly/scoring/series-detector';
import type { Reading } from '../../../../core/reading';
import { decodeState, encodeState, StateFormatError } from '../../../../core/state/series-state';
import { home, londonHome, modelsDir } from '../anomaly/fixtures';

function reading(ts: number, kwh: number, intervalS: number): Reading {
  return { entity_id: 'sensor.home', ts, value: kwh, unit: 'kWh', kind: 'energy', hour: new Date(ts).getHours(), interval_s: intervalS };
}

async function options(): Promise<SeriesDetectorOptions> {
  const loaded = await loadModelDir(join(modelsDir, 'default'));
  return { entityId: 'sensor.home', defaultModel: loaded.model as DefaultModelParams, learnDays: 14, fit: { readingKind: 'energy', epochs: 2 } };
}

describe('series state: snapshot and restore', () => {
  it('a detector restored from bytes scores the next readings exactly as the original (trained model, drift/CUSUM state, suppressions)', async () => {
    const series = home(londonHome, 24);
    const original = new SeriesDetector(await options());
    const rows = series.rows;
    const cut = rows.length - 96;
    for (const row of rows.slice(0, cut)) {
      if (original.needsTraining(row.ts)) await original.retrain(row.ts);
      original.score(reading(row.ts, row.value, series.intervalS));
    }
    assert.equal(original.status().phase, 'ready', 'the original should have trained its own model');
    const flagged = original.historySnapshot().find((point) => point.flagged);
    if (flagged) original.applyFeedback({ entity_id: 'sensor.home', ts: flagged.ts, feedback: 'expected' });
    // a late reading and a spike before the checkpoint: late count and alert cooldown are state too
    original.score(reading(rows[cut - 5]!.ts, rows[cut - 5]!.value, series.intervalS));

    const bytes = encodeState(original.snapshot());
    const restored = new SeriesDetector(await options());
    restored.restore(decodeState(bytes));
    assert.deepEqual(restored.status(), original.status());

    let anomalies = 0;
    for (const [index, row] of rows.slice(cut).entries()) {
      const value = index === 10 ? row.value * 12 : row.value;
      const expected = original.score(reading(row.ts, value, series.intervalS));
      const actual = restored.score(reading(row.ts, value, series.intervalS));
      assert.deepEqual(actual, expected, `reading ${index} after the restore`);
      if (expected.anomaly) anomalies += 1;
    }
    assert.ok(anomalies > 0, 'the spike after the restore should be scored as an anomaly by both');
  });

  it('a fresh detector differs from the original (the restore is what makes them agree)', async () => {
    const series = home(londonHome, 20);
    const original = new SeriesDetector(await options());
    for (const row of series.rows) {
      if (original.needsTraining(row.ts)) await original.retrain(row.ts);
      original.score(reading(row.ts, row.value, series.intervalS));
    }
    const fresh = new SeriesDetector(await options());
    const next = reading(series.rows.at(-1)!.ts + series.intervalS * 1000, 3, series.intervalS);
    assert.notDeepEqual(fresh.score(next), original.score(next));
  });

  it('refuses state of another series, another version or that is not JSON', async () => {
    const detector = new SeriesDetector(await options());
    detector.score(reading(Date.UTC(2026, 0, 5), 0.4, 3600));
    const state = detector.snapshot();
    const other = new SeriesDetector({ ...(await options()), entityId: 'sensor.other' });
    assert.throws(() => other.restore(state), /state of sensor.home cannot restore sensor.other/);
    assert.throws(() => decodeState(Buffer.from(JSON.stringify({ ...state, version: 99 }))), StateFormatError);
    assert.throws(() => decodeState(Buffer.from('{not json')), /state is not JSON/);
    assert.throws(() => decodeState(Buffer.from(JSON.stringify({ ...state, detector: 'nope' }))), /unknown detector state 'nope'/);
    assert.throws(() => decodeState(Buffer.from(JSON.stringify({ ...state, history: null }))), /no history columns/);
  });

  it('a version-1 state (a tuple per history point) written by an earlier release still restores', async () => {
    const detector = new SeriesDetector(await options());
    const t0 = Date.UTC(2026, 0, 5);
    for (let h = 0; h < 48; h += 1) detector.score(reading(t0 + h * 3_600_000, 0.3 + (h % 24) / 40, 3600));
    detector.applyFeedback({ entity_id: 'sensor.home', ts: t0 + 5 * 3_600_000, feedback: 'investigate' });
    const current = detector.snapshot();
    const points = detector.historySnapshot();
    const versionOne = { ...current, version: 1, history: points.map((point) => [point.ts, point.rate, point.hour, point.flagged ? 1 : 0, point.feedback ?? null]) };
    const restored = new SeriesDetector(await options());
    restored.restore(decodeState(Buffer.from(JSON.stringify(versionOne))));
    assert.deepEqual(restored.historySnapshot(), points);
    assert.deepEqual(restored.status(), detector.status());
    const next = reading(t0 + 48 * 3_600_000, 0.35, 3600);
    assert.deepEqual(restored.score(next), detector.score(next));
  });

  it('the history costs about 16 bytes a point in the state, not a JSON tuple each', async () => {
    const detector = new SeriesDetector(await options());
    const t0 = Date.UTC(2026, 0, 5);
    for (let h = 0; h < 24 * 30; h += 1) detector.score(reading(t0 + h * 3_600_000, 0.3 + (h % 24) / 40, 3600));
    const bytes = encodeState(detector.snapshot()).length;
    // base64 of 16 bytes a point is about 22 characters; the rest of the state is a few KB
    assert.ok(bytes < 24 * 30 * 22 + 8_000, `${bytes} bytes for 720 points`);
  });
});
