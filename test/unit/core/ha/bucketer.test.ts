import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalBucketer } from '../../../../core/ha/bucketer';
import { intervalStart } from '../../../../core/ha/interval';

const hour = 3_600_000;
const t0 = intervalStart(Date.UTC(2026, 0, 5, 10, 0, 0), hour);

describe('IntervalBucketer (cumulative meter)', () => {
  it('counts increases per interval and closes idle intervals at 0 on the clock', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    assert.equal(b.push({ ts: t0, value: 100 }).outcome, 'baseline');
    b.push({ ts: t0 + 10 * 60_000, value: 100.4 });
    b.push({ ts: t0 + 50 * 60_000, value: 101 });
    const closed = b.advanceTo(t0 + 3 * hour);
    assert.deepEqual(
      closed.map((c) => [c.start - t0, Math.round(c.value * 1000) / 1000, c.partial]),
      [
        [0, 1, false],
        [hour, 0, false],
        [2 * hour, 0, false],
      ],
    );
  });

  it('treats a drop to about 0 as a reset: the new cycle counts from 0, nothing negative', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 5000 });
    b.push({ ts: t0 + 60_000, value: 5001 });
    assert.equal(b.push({ ts: t0 + 120_000, value: 0.2 }).outcome, 'reset');
    b.push({ ts: t0 + 180_000, value: 0.7 });
    const [closed] = b.advanceTo(t0 + hour);
    assert.ok(closed);
    assert.equal(Math.round(closed.value * 1000) / 1000, 1.7);
    assert.equal(closed.reset, true);
  });

  it('treats a drop of more than 10% as a reset and refuses a smaller drop', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 100 });
    assert.equal(b.push({ ts: t0 + 1000, value: 95 }).outcome, 'decrease');
    b.push({ ts: t0 + 2000, value: 101 });
    assert.equal(b.push({ ts: t0 + 3000, value: 50 }).outcome, 'reset');
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(Math.round((closed?.value ?? NaN) * 1000) / 1000, 51);
  });

  it('does not count a transient drop that comes back as a giant interval', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 1000 });
    b.push({ ts: t0 + 1000, value: 0 });
    b.push({ ts: t0 + 2000, value: 1000.5 });
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(Math.round((closed?.value ?? NaN) * 1000) / 1000, 0.5);
  });

  it('ignores duplicate and out-of-order samples', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 10 });
    b.push({ ts: t0 + 5000, value: 11 });
    assert.equal(b.push({ ts: t0 + 5000, value: 11 }).outcome, 'duplicate');
    assert.equal(b.push({ ts: t0 + 4000, value: 10.5 }).outcome, 'stale');
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(closed?.value, 1);
  });

  it('keeps its baseline across an unavailable state', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 10 });
    assert.equal(b.push({ ts: t0 + 1000, value: undefined }).outcome, 'unavailable');
    b.push({ ts: t0 + 2000, value: 12 });
    const [closed] = b.advanceTo(t0 + hour);
    assert.equal(closed?.value, 2);
    assert.equal(closed?.partial, false);
  });

  it('marks the first interval partial when the baseline came after its start', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'cumulative' });
    b.push({ ts: t0 + 60_000, value: 10 });
    b.push({ ts: t0 + 120_000, value: 11 });
    const closed = b.advanceTo(t0 + 2 * hour);
    assert.deepEqual(closed.map((c) => c.partial), [true, false]);
  });
});

describe('IntervalBucketer (power integration)', () => {
  it('holds each power until the next sample and integrates it into kWh, split at interval ends', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'rate' });
    b.restartAt(t0);
    const closed = [
      ...b.push({ ts: t0, value: 1000 }).closed, // 1 kW for 30 min = 0.5 kWh
      ...b.push({ ts: t0 + 30 * 60_000, value: 2000 }).closed, // 2 kW from 00:30 to 01:30 = 1 kWh + 1 kWh
      ...b.push({ ts: t0 + 90 * 60_000, value: 0 }).closed,
      ...b.advanceTo(t0 + 3 * hour),
    ];
    assert.deepEqual(
      closed.map((c) => Math.round(c.value * 1e6) / 1e6),
      [1.5, 1, 0],
    );
    assert.ok(closed.every((c) => !c.partial));
  });

  it('marks an interval partial when the power was unavailable in it', () => {
    const b = new IntervalBucketer({ intervalMs: hour, mode: 'rate' });
    b.restartAt(t0);
    b.push({ ts: t0, value: 500 });
    b.push({ ts: t0 + 10 * 60_000, value: undefined });
    b.push({ ts: t0 + 20 * 60_000, value: 500 });
    const [first, second] = b.advanceTo(t0 + 2 * hour);
    assert.equal(first?.partial, true);
    assert.equal(second?.partial, false);
    assert.equal(Math.round((second?.value ?? NaN) * 1000) / 1000, 0.5);
  });
});
