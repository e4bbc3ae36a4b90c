import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { backfillGap, gapRange, type BackfillRequest } from '../../../../core/ha/backfill';
import { numericState } from '../../../../core/ha/meter-entity';
import { hourMs } from '../../../../core/units';

const t0 = new Date(2026, 2, 10, 0, 0, 0).getTime();

/** Answers statistics for the hours in `statistics` (change per hour) and raw history for the rest. */
function request(statistics: Record<number, number>, history: Array<{ s: string; lu: number }>): BackfillRequest {
  const source = {
    command: async <T>(message: { type: string }): Promise<T> => {
      if (message.type === 'recorder/statistics_during_period') {
        const rows = Object.entries(statistics).map(([h, change]) => ({ start: t0 + Number(h) * hourMs, end: t0 + (Number(h) + 1) * hourMs, change }));
        return { 'sensor.energy': rows } as T;
      }
      return { 'sensor.energy': history.map((row, i) => (i === 0 ? { ...row, a: { unit_of_measurement: 'kWh', device_class: 'energy' } } : row)) } as T;
    },
  };
  return { source, entityId: 'sensor.energy', kind: 'energy', mode: 'cumulative', intervalMs: hourMs, toValue: (state) => numericState(state.state) };
}

describe('backfill after a gap', () => {
  it('resumes after the last emitted interval, else at the one open at the drop, never beyond the limit', () => {
    const now = t0 + 5 * hourMs + 600_000;
    assert.deepEqual(gapRange({ lastEmitted: t0 + hourMs, openAtDrop: undefined, now, maxBackfillMs: 7 * 24 * hourMs }, hourMs), { from: t0 + 2 * hourMs, to: t0 + 5 * hourMs });
    assert.deepEqual(gapRange({ lastEmitted: undefined, openAtDrop: t0 + 3 * hourMs, now, maxBackfillMs: 7 * 24 * hourMs }, hourMs), { from: t0 + 3 * hourMs, to: t0 + 5 * hourMs });
    assert.deepEqual(gapRange({ lastEmitted: t0 - 100 * hourMs, openAtDrop: undefined, now, maxBackfillMs: 2 * hourMs }, hourMs), { from: t0 + 3 * hourMs, to: t0 + 5 * hourMs });
  });

  it('takes statistics where they exist, history for the rest, and counts what neither gives', async () => {
    const history = [
      { s: '10', lu: (t0 + 2 * hourMs - 60_000) / 1000 },
      { s: '10.5', lu: (t0 + 2 * hourMs + 1_800_000) / 1000 },
      { s: '11', lu: (t0 + 3 * hourMs + 60_000) / 1000 },
    ];
    const { intervals, missing } = await backfillGap(request({ 0: 0.25, 1: 0.75 }, history), t0, t0 + 5 * hourMs);
    assert.deepEqual(
      intervals.map((interval) => [(interval.start - t0) / hourMs, Math.round(interval.value * 1000) / 1000, interval.source]),
      [
        [0, 0.25, 'statistics'],
        [1, 0.75, 'statistics'],
        [2, 0.5, 'history'],
        [3, 0.5, 'history'],
        [4, 0, 'history'],
      ],
    );
    assert.equal(missing, 0);
    const unanswered = await backfillGap(request({ 0: 1 }, []), t0, t0 + 3 * hourMs);
    assert.deepEqual(unanswered.intervals.map((interval) => interval.start), [t0]);
    assert.equal(unanswered.missing, 2);
  });

  it('reads nothing for an empty gap', async () => {
    assert.deepEqual(await backfillGap(request({ 0: 1 }, []), t0 + hourMs, t0 + hourMs), { intervals: [], missing: 0 });
  });
});
