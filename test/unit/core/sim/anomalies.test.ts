import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { anomalySchedule, anomalySpan, createHousehold, simulateHours, withAnomalies, type Anomaly } from '../../../../core/sim';
import { hourMs } from '../../../../core/units';

const from = new Date(2026, 1, 2).getTime();

describe('anomaly injector', () => {
  const home = createHousehold({ seed: 11 });
  const normal = simulateHours(home, from, 7 * 24);

  function injected(anomalies: Anomaly[]) {
    return simulateHours(withAnomalies(home, anomalies), from, 7 * 24);
  }

  it('adds an appliance left on overnight to exactly its hours', () => {
    const start = from + 24 * hourMs + 23 * hourMs;
    const hours = injected([{ kind: 'left-on', start, hours: 6, kw: 2 }]);
    hours.forEach((hour, i) => {
      const inside = hour.start >= start && hour.start < start + 6 * hourMs;
      assert.equal(Math.round((hour.kwh - normal[i]!.kwh) * 1000) / 1000, inside ? 2 : 0);
      assert.equal(hour.anomaly, inside ? 'left-on' : undefined);
    });
    const night = hours.filter((h) => h.anomaly && h.hour >= 1 && h.hour <= 4);
    assert.equal(night.length, 4);
  });

  it('adds a one-hour spike to one hour only', () => {
    const start = from + 50 * hourMs + 17 * 60_000;
    const hours = injected([{ kind: 'spike', start, kwh: 3, label: 'spike!' }]);
    const touched = hours.filter((h) => h.anomaly);
    assert.equal(touched.length, 1);
    assert.equal(touched[0]!.start, from + 50 * hourMs);
    assert.equal(touched[0]!.anomaly, 'spike!');
    assert.equal(touched[0]!.parts.anomaly, 3);
  });

  it('creeps the base load up, then holds it until the end', () => {
    const hours = injected([{ kind: 'base-creep', start: from, hours: 72, watts: 40, rampHours: 24 }]);
    const extra = hours.map((h, i) => h.kwh - normal[i]!.kwh);
    for (let i = 1; i < 72; i += 1) assert.ok(extra[i]! >= extra[i - 1]! - 1e-9, `not rising at ${i}`);
    assert.ok(Math.abs(extra[23]! - 0.04) < 1e-6);
    assert.ok(Math.abs(extra[71]! - 0.04) < 1e-6);
    assert.ok(extra.slice(72).every((e) => e === 0));
    assert.deepEqual(anomalySpan({ kind: 'base-creep', start: from, hours: 72, watts: 40 }), { start: from, end: from + 72 * hourMs });
  });

  it('plans an anomaly every few hours for the demo', () => {
    const plan = anomalySchedule(from, 30, 6);
    assert.equal(plan.length, 6);
    assert.deepEqual(plan.map((a) => (a.start - from) / hourMs), [30, 60, 90, 120, 150, 180]);
    assert.deepEqual(new Set(plan.map((a) => a.kind)), new Set(['left-on', 'spike']));
    const hours = injected(plan);
    assert.ok(hours.filter((h) => h.anomaly).length >= 6);
  });
});
