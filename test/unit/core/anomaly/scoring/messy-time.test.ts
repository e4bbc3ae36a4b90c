import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { SeriesDetector } from '../../../../../core/anomaly/scoring/series-detector';
import type { Reading } from '../../../../../core/reading';
import { hourMs, hourOfDay } from '../../../../../core/units';

const start = Date.UTC(2024, 0, 1);
const usual = (ts: number) => 20 + 5 * Math.sin((2 * Math.PI * hourOfDay(ts)) / 24);

function reading(ts: number, value = usual(ts)): Reading {
  return { entity_id: 'sensor.temperature', ts, value, unit: '°C', kind: 'other', hour: hourOfDay(ts) };
}

/** A detector with its own model, trained on 20 days of hourly readings. */
async function trained(): Promise<{ detector: SeriesDetector; newest: number }> {
  const detector = new SeriesDetector({ entityId: 'sensor.temperature', learnDays: 14, fit: { readingKind: 'other', twoSided: true, withoutAutoencoder: true } });
  let ts = start;
  for (; ts < start + 20 * 24 * hourMs; ts += hourMs) {
    if (detector.needsTraining(ts)) await detector.retrain(ts);
    detector.score(reading(ts));
  }
  assert.equal(detector.status().phase, 'ready');
  return { detector, newest: ts - hourMs };
}

describe('online series detector on messy time', () => {
  it('an out-of-order reading is scored against what is known, flagged late, and not learnt', async () => {
    const { detector, newest } = await trained();
    const have = detector.status().have;
    const older = detector.score(reading(newest - 5 * hourMs));
    assert.equal(older.late, true);
    assert.equal(older.anomaly, false);
    const spike = detector.score(reading(newest - 3 * hourMs, 80));
    assert.equal(spike.late, true);
    assert.equal(spike.anomaly, true, `late spike score ${spike.score}`);
    assert.equal(detector.status().have, have);
    assert.equal(detector.status().late, 2);
    const next = detector.score(reading(newest + hourMs));
    assert.equal(next.late, undefined);
    const stamps = detector.historySnapshot().map((point) => point.ts);
    assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b), 'the history stays in time order');
  });

  it('a duplicate timestamp is scored, flagged late and never counted twice', async () => {
    const { detector, newest } = await trained();
    const repeat = detector.score(reading(newest));
    assert.equal(repeat.late, true);
    assert.ok(Number.isFinite(repeat.score));
    const stamps = detector.historySnapshot().map((point) => point.ts);
    assert.equal(new Set(stamps).size, stamps.length);
  });

  it('a gap of days is scored as usual, not late', async () => {
    const { detector, newest } = await trained();
    const after = detector.score(reading(newest + 4 * 24 * hourMs));
    assert.equal(after.late, undefined);
    assert.equal(after.anomaly, false, `after a gap: ${after.score}`);
  });

  it('irregular spacing: every reading is scored, none late, all finite', async () => {
    const { detector, newest } = await trained();
    let ts = newest;
    for (let i = 0; i < 200; i += 1) {
      ts += Math.round(hourMs * (0.1 + ((i * 7919) % 17) / 8));
      const scored = detector.score(reading(ts));
      assert.equal(scored.late, undefined);
      assert.ok(Number.isFinite(scored.score) && scored.anomaly_score >= 0 && scored.anomaly_score <= 1);
    }
  });

  describe('daylight saving (Europe/London)', () => {
    const zone = process.env.TZ;
    before(() => (process.env.TZ = 'Europe/London'));
    after(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });

    it('the hour of day is local; the repeated and the skipped hour neither crash nor count as late', () => {
      const detector = new SeriesDetector({ entityId: 'sensor.temperature', fit: { readingKind: 'other', twoSided: true } });
      for (const day of [Date.UTC(2024, 2, 30, 22), Date.UTC(2024, 9, 26, 22)]) {
        for (let ts = day; ts < day + 6 * hourMs; ts += 15 * 60_000) {
          const scored = detector.score(reading(ts));
          assert.equal(scored.late, undefined);
          assert.ok(Number.isFinite(scored.score));
          assert.equal(scored.hour, new Date(ts).getHours());
        }
      }
      assert.equal(hourOfDay(Date.UTC(2024, 2, 31, 1)), 2, 'spring: 01:00 local is skipped');
      assert.equal(hourOfDay(Date.UTC(2024, 9, 27, 0)), hourOfDay(Date.UTC(2024, 9, 27, 1)), 'autumn: 01:00 local comes twice');
    });
  });
});
