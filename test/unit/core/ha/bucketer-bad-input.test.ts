import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalBucketer, type ClosedInterval } from '../../../../core/ha/bucketer';
import { intervalStart } from '../../../../core/ha/interval';
import { plausibilityOf } from '../../../../core/ha/plausibility';

const hour = 3_600_000;
const minute = 60_000;
const t0 = intervalStart(Date.UTC(2026, 0, 5, 10, 0, 0), hour);

function meter(unit = 'kWh'): IntervalBucketer {
  const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative', plausibility: plausibilityOf(unit) });
  b.restartAt(t0);
  return b;
}

const rounded = (closed: readonly ClosedInterval[]): number[] => closed.map((c) => Math.round(c.value * 1000) / 1000);

describe('IntervalBucketer: bad meter states are refused, the interval keeps its real readings', () => {
  for (const absurd of [1e308, 2e9, Infinity, -Infinity, Number.NaN]) {
    it(`an energy state of ${absurd} is refused and the hour counts only the real rise`, () => {
      const b = meter();
      b.push({ ts: t0, value: 100 });
      b.push({ ts: t0 + 10 * minute, value: 100.5 });
      assert.equal(b.push({ ts: t0 + 20 * minute, value: absurd }).outcome, 'implausible');
      b.push({ ts: t0 + 30 * minute, value: 101 });
      const closed = b.advanceTo(t0 + hour);
      assert.deepEqual(rounded(closed), [1]);
      assert.equal(Number.isFinite(closed[0]?.value), true);
    });
  }

  it('caps electricity at 100 kW: 50 kWh in ten minutes is refused, 5 kWh is taken', () => {
    const b = meter('kWh');
    b.push({ ts: t0, value: 1000 });
    assert.equal(b.push({ ts: t0 + 10 * minute, value: 1050 }).outcome, 'implausible');
    assert.equal(b.push({ ts: t0 + 20 * minute, value: 1005 }).outcome, 'accepted');
    assert.deepEqual(rounded(b.advanceTo(t0 + hour)), [5]);
  });

  it('caps water at 100 L/min and gas at 50 m³/h', () => {
    const water = meter('L');
    water.push({ ts: t0, value: 0 });
    assert.equal(water.push({ ts: t0 + 10 * minute, value: 2000 }).outcome, 'implausible');
    assert.equal(water.push({ ts: t0 + 11 * minute, value: 900 }).outcome, 'accepted');
    const gas = meter('m³');
    gas.push({ ts: t0, value: 10 });
    assert.equal(gas.push({ ts: t0 + 30 * minute, value: 40 }).outcome, 'implausible');
    assert.equal(gas.push({ ts: t0 + 31 * minute, value: 12 }).outcome, 'accepted');
  });

  it('judges a rise over at least five minutes, so a quick burst of states is not refused', () => {
    const b = meter('kWh');
    b.push({ ts: t0, value: 10 });
    assert.equal(b.push({ ts: t0 + 1000, value: 12 }).outcome, 'accepted'); // 2 kWh in 1 s, but under 5 min at 100 kW
  });

  it('refuses a negative total and a small decrease, and counts from the last good reading', () => {
    const b = meter();
    b.push({ ts: t0, value: 10 });
    assert.equal(b.push({ ts: t0 + minute, value: -5 }).outcome, 'negative');
    assert.equal(b.push({ ts: t0 + 2 * minute, value: 9.5 }).outcome, 'decrease');
    b.push({ ts: t0 + 3 * minute, value: 11 });
    assert.deepEqual(rounded(b.advanceTo(t0 + hour)), [1]);
  });

  it('a negative first state is no baseline', () => {
    const b = meter();
    assert.equal(b.push({ ts: t0, value: -1 }).outcome, 'negative');
    assert.equal(b.push({ ts: t0 + minute, value: 3 }).outcome, 'baseline');
  });

  it('meter reset: a drop to about 0 starts a new cycle whose readings count', () => {
    const b = meter();
    b.push({ ts: t0, value: 5000 });
    b.push({ ts: t0 + minute, value: 5001 });
    assert.equal(b.push({ ts: t0 + 2 * minute, value: 0.3 }).outcome, 'reset');
    b.push({ ts: t0 + 3 * minute, value: 0.8 });
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(Math.round((closed?.value ?? NaN) * 1000) / 1000, 1.8);
    assert.equal(closed?.reset, true);
  });

  it('meter replaced by one at a lower reading: a new baseline, the new meter reading not counted as use', () => {
    const b = meter();
    b.push({ ts: t0, value: 5000 });
    b.push({ ts: t0 + minute, value: 5001 });
    assert.equal(b.push({ ts: t0 + 2 * minute, value: 3000 }).outcome, 'replacement');
    b.push({ ts: t0 + 3 * minute, value: 3000.5 });
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(Math.round((closed?.value ?? NaN) * 1000) / 1000, 1.5);
    assert.equal(closed?.reset, true);
  });

  it('meter replaced by one at a higher reading: refused until three readings agree, then a new baseline', () => {
    const b = meter();
    b.push({ ts: t0, value: 100 });
    b.push({ ts: t0 + minute, value: 101 });
    assert.equal(b.push({ ts: t0 + 2 * minute, value: 9000 }).outcome, 'implausible');
    assert.equal(b.push({ ts: t0 + 3 * minute, value: 9000.2 }).outcome, 'implausible');
    assert.equal(b.push({ ts: t0 + 4 * minute, value: 9000.5 }).outcome, 'replacement');
    b.push({ ts: t0 + 5 * minute, value: 9001 });
    const [closed] = b.advanceTo(t0 + hour);
    // 1 on the old meter, 0.5 on the new one while it was being confirmed, 0.5 after.
    assert.equal(Math.round((closed?.value ?? NaN) * 1000) / 1000, 2);
    assert.equal(closed?.reset, true);
  });

  it('one absurd spike followed by normal readings stays refused (no replacement)', () => {
    const b = meter();
    b.push({ ts: t0, value: 100 });
    assert.equal(b.push({ ts: t0 + minute, value: 9000 }).outcome, 'implausible');
    for (let i = 2; i < 6; i += 1) assert.equal(b.push({ ts: t0 + i * minute, value: 100 + i / 10 }).outcome, 'accepted');
    assert.deepEqual(rounded(b.advanceTo(t0 + hour)), [0.5]);
  });

  it('power above 100 kW is refused and the last good power is held', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'rate', plausibility: plausibilityOf('W') });
    b.restartAt(t0);
    b.push({ ts: t0, value: 1000 });
    assert.equal(b.push({ ts: t0 + 30 * minute, value: 5e6 }).outcome, 'implausible');
    assert.equal(b.push({ ts: t0 + 40 * minute, value: 1e308 }).outcome, 'implausible');
    assert.deepEqual(rounded(b.advanceTo(t0 + hour)), [1]);
  });

  it('without caps (history replay of an unknown unit) a large jump is still consumption, but absurd values are refused', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 1 });
    assert.equal(b.push({ ts: t0 + minute, value: 5000 }).outcome, 'accepted');
    assert.equal(b.push({ ts: t0 + 2 * minute, value: 1e308 }).outcome, 'implausible');
  });
});
