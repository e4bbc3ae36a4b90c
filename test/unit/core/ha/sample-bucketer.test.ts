import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBucketer } from '../../../../core/ha/bucketer-factory';
import { IntervalBucketer } from '../../../../core/ha/bucketer';
import { intervalStart } from '../../../../core/ha/interval';
import { SampleBucketer } from '../../../../core/ha/sample-bucketer';

const hour = 3_600_000;
const minute = 60_000;
const t0 = intervalStart(Date.UTC(2026, 0, 5, 10, 0, 0), hour);

describe('SampleBucketer (a measurement: time-weighted mean)', () => {
  it('weights each state by how long it held, and holds the last one into idle intervals', () => {
    const b = new SampleBucketer(hour);
    b.restartAt(t0);
    assert.equal(b.push({ ts: t0, value: -18 }).outcome, 'baseline');
    b.push({ ts: t0 + 45 * minute, value: -4 }); // -18 for 45 min, -4 for 15 min
    const closed = b.advanceTo(t0 + 2 * hour);
    assert.deepEqual(
      closed.map((c) => [c.start - t0, Math.round(c.value * 1000) / 1000, c.partial]),
      [
        [0, -14.5, false],
        [hour, -4, false],
      ],
    );
  });

  it('averages over the time the value was known; less than half an interval known is partial', () => {
    const b = new SampleBucketer(hour);
    b.restartAt(t0);
    b.push({ ts: t0, value: 20 });
    b.push({ ts: t0 + 20 * minute, value: undefined }); // unavailable 20..30
    b.push({ ts: t0 + 30 * minute, value: 22 });
    const closedByState = b.push({ ts: t0 + hour + 10 * minute, value: undefined }).closed; // known only 10 min of the second hour
    const [first, second] = [...closedByState, ...b.advanceTo(t0 + 2 * hour)];
    assert.equal(first?.partial, false);
    assert.equal(Math.round((first?.value ?? NaN) * 1000) / 1000, 21.2); // (20*20 + 22*30) / 50
    assert.equal(second?.partial, true);
  });

  it('marks the first interval partial when the first state came in its second half', () => {
    const b = new SampleBucketer(hour);
    b.push({ ts: t0 + 40 * minute, value: 5 });
    const closed = b.advanceTo(t0 + 2 * hour);
    assert.deepEqual(closed.map((c) => c.partial), [true, false]);
    assert.equal(closed[1]?.value, 5);
  });

  it('ignores duplicate and out-of-order states, and refuses an absurd one without losing the interval', () => {
    const b = new SampleBucketer(hour);
    b.restartAt(t0);
    b.push({ ts: t0, value: 10 });
    b.push({ ts: t0 + 30 * minute, value: 12 });
    assert.equal(b.push({ ts: t0 + 30 * minute, value: 12 }).outcome, 'duplicate');
    assert.equal(b.push({ ts: t0 + 10 * minute, value: 99 }).outcome, 'stale');
    assert.equal(b.push({ ts: t0 + 40 * minute, value: 1e308 }).outcome, 'implausible');
    assert.equal(b.push({ ts: t0 + 41 * minute, value: Number.NaN }).outcome, 'implausible');
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(closed?.partial, false);
    assert.equal(closed?.value, 11);
  });
});

describe('createBucketer', () => {
  it('picks the mean for measurements and the interval bucketer, with its caps, for meters and rates', () => {
    assert.ok(createBucketer(hour, 'mean', '°C') instanceof SampleBucketer);
    const energy = createBucketer(hour, 'cumulative', 'kWh');
    assert.ok(energy instanceof IntervalBucketer);
    energy.restartAt(t0);
    energy.push({ ts: t0, value: 10 });
    assert.equal(energy.push({ ts: t0 + minute, value: 1e6 }).outcome, 'implausible', 'kWh is capped');
    const power = createBucketer(hour, 'rate', 'W');
    power.restartAt(t0);
    assert.equal(power.push({ ts: t0, value: 2e5 }).outcome, 'implausible', 'W is capped at 100 kW');
  });
});
