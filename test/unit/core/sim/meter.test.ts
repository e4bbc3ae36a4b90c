import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createHousehold, createMeter, haStatistics, meterSamples } from '../../../../core/sim';

const from = new Date(2026, 2, 9, 0, 0).getTime();

describe('simulated meter', () => {
  it('is cumulative and never decreases', () => {
    const samples = meterSamples(createHousehold({ seed: 5 }), from, 14 * 24, 1000);
    let previous = 1000;
    for (const sample of samples) {
      assert.ok(sample.total > previous, `meter went from ${previous} to ${sample.total}`);
      assert.ok(Math.abs(sample.total - previous - sample.hour.kwh) < 1e-5);
      assert.equal(sample.end, sample.hour.start + 3_600_000);
      previous = sample.total;
    }
  });

  it('continues where it stopped', () => {
    const meter = createMeter(createHousehold({ seed: 5 }), from + 10 * 60_000, 42);
    assert.equal(meter.nextStart, from);
    const first = meter.next();
    assert.equal(meter.total, first.total);
    assert.equal(meter.nextStart, from + 3_600_000);
    assert.deepEqual(meter.next().hour, createHousehold({ seed: 5 }).hourAt(from + 3_600_000));
  });

  it('gives Home Assistant hourly statistics: hour starts with the meter total and a sum from the origin', () => {
    const samples = meterSamples(createHousehold({ seed: 5 }), from, 3, 100);
    const rows = haStatistics(samples, 100);
    assert.deepEqual(rows.map((r) => r.start), [0, 1, 2].map((i) => new Date(from + i * 3_600_000).toISOString()));
    assert.deepEqual(rows.map((r) => r.state), samples.map((s) => s.total));
    assert.ok(Math.abs(rows[2]!.sum - (samples[2]!.total - 100)) < 1e-6);
  });
});
