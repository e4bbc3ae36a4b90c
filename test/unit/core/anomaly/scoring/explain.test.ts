import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { explain } from '../../../../../core/anomaly/scoring/explain';
import { fitLocationModel, scoreLocation } from '../../../../../core/anomaly/scoring/location';
import { fromRate, toRate } from '../../../../../core/anomaly/scoring/rate';
import { UnitError } from '../../../../../core/units';
import type { Reading } from '../../../../../core/reading';

describe('explanations, units and location', () => {
  it('writes the sentence households read', () => {
    const ts = new Date(2024, 0, 10, 2, 0, 0).getTime();
    assert.equal(explain({ ts, intervalS: 3600, value: 3100, expected: 310, unit: 'Wh', reason: 'point' }), '3.1 kWh between 02:00 and 03:00, about 0.3 expected (10x)');
  });

  it('converts units to a rate and back, and refuses unknown ones', () => {
    const r: Reading = { entity_id: 'x', ts: 0, value: 0.5, unit: 'kWh', kind: 'energy', hour: 0, interval_s: 1800 };
    assert.equal(toRate(r, 3600), 1000);
    assert.equal(fromRate(1000, r, 3600), 0.5);
    assert.equal(toRate({ ...r, kind: 'power', unit: 'kW', value: 2 }, 3600), 2000);
    assert.throws(() => toRate({ ...r, unit: 'furlongs' }, 3600), UnitError);
  });

  it('scores a place far from where the series usually is at that hour', () => {
    const base = new Date(2024, 0, 8, 0, 0, 0).getTime();
    const points = [];
    for (let day = 0; day < 14; day += 1) {
      for (let hour = 0; hour < 24; hour += 1) {
        const atWork = hour >= 9 && hour < 17 && day % 7 < 5;
        points.push({ ts: base + day * 86_400_000 + hour * 3_600_000, latitude: atWork ? 51.52 : 51.45 + (hour % 3) * 0.001, longitude: atWork ? -0.1 : -0.2 });
      }
    }
    const model = fitLocationModel(points);
    const night = base + 15 * 86_400_000 + 3 * 3_600_000;
    assert.ok(scoreLocation(model, { ts: night, latitude: 51.451, longitude: -0.2 }).score < 1);
    assert.ok(scoreLocation(model, { ts: night, latitude: 48.85, longitude: 2.35 }).score > 1);
  });
});
