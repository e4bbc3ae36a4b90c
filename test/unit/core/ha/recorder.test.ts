import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intervalStart } from '../../../../core/ha/interval';
import type { ReadingKind } from '../../../../core/reading';
import { fetchStatistics, intervalsFromHistory, intervalsFromStatistics, type CommandSender } from '../../../../core/ha/recorder';

const hour = 3_600_000;
const fiveMin = 300_000;
const t0 = intervalStart(Date.UTC(2026, 0, 5, 0, 0, 0), hour);

describe('intervals from statistics', () => {
  it('takes hourly change for hourly intervals and leaves missing hours out', () => {
    const rows = [0, 1, 3].map((h) => ({ start: t0 + h * hour, end: t0 + (h + 1) * hour, change: h + 0.5 }));
    const map = intervalsFromStatistics(rows, 'energy', t0, t0 + 4 * hour, hour);
    assert.deepEqual([...map.keys()].map((start) => (start - t0) / hour), [0, 1, 3]);
    assert.equal(map.get(t0 + 3 * hour)?.value, 3.5);
  });

  it('sums 5-minute rows into 15-minute intervals only when all three are there', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ start: t0 + i * fiveMin, end: t0 + (i + 1) * fiveMin, change: 0.1 }));
    const map = intervalsFromStatistics(rows, 'energy', t0, t0 + 6 * fiveMin, 3 * fiveMin);
    assert.equal(map.size, 1);
    assert.equal(Math.round((map.get(t0)?.value ?? NaN) * 1000) / 1000, 0.3);
  });

  it("averages a measurement's 5-minute means, weighted by length, into its interval mean", () => {
    const rows = [10, 12, 14].map((mean, i) => ({ start: t0 + i * fiveMin, end: t0 + (i + 1) * fiveMin, mean }));
    const map = intervalsFromStatistics(rows, 'other', t0, t0 + 3 * fiveMin, 3 * fiveMin, 'mean');
    assert.equal(map.get(t0)?.value, 12);
    const negative = intervalsFromStatistics([{ start: t0, end: t0 + hour, mean: -18.3 }], 'other', t0, t0 + hour, hour, 'mean');
    assert.equal(negative.get(t0)?.value, -18.3, 'a mean below 0 is kept (not clamped as consumption)');
  });

  it('turns mean power into kWh', () => {
    const map = intervalsFromStatistics([{ start: t0, end: t0 + hour, mean: 500 }], 'power', t0, t0 + hour, hour);
    assert.equal(map.get(t0)?.value, 0.5);
  });
});

describe('intervals from history', () => {
  it('replays states with the start-time state as baseline', () => {
    const states = [
      { entity_id: 'sensor.e', state: '10', attributes: {}, ts: t0 - 5000 },
      { entity_id: 'sensor.e', state: '11', attributes: {}, ts: t0 + 10 * 60_000 },
      { entity_id: 'sensor.e', state: '12.5', attributes: {}, ts: t0 + hour + 60_000 },
    ];
    const map = intervalsFromHistory(states, (s) => Number(s.state), 'cumulative', t0, t0 + 3 * hour, hour);
    assert.deepEqual([...map.values()].map((i) => i.value), [1, 1.5, 0]);
  });
});

describe('statistics request', () => {
  it('asks for the units the meter emits: kWh, W, L, m³ or kWh for gas', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const sender: CommandSender = {
      command: <T>(message: { type: string; [key: string]: unknown }) => {
        sent.push(message);
        return Promise.resolve({ 'sensor.x': [{ start: new Date(t0).toISOString(), end: t0 + hour, change: 1 }] } as T);
      },
    };
    const kinds: ReadingKind[] = ['energy', 'power', 'water', 'gas'];
    for (const kind of kinds) {
      const rows = await fetchStatistics(sender, 'sensor.x', kind, t0, t0 + hour, 'hour');
      assert.deepEqual(rows, [{ start: t0, end: t0 + hour, change: 1 }]);
    }
    assert.deepEqual(
      sent.map((message) => message.units),
      [{ energy: 'kWh' }, { power: 'W' }, { volume: 'L' }, { volume: 'm³', energy: 'kWh' }],
    );
    assert.deepEqual(
      sent.map((message) => message.types),
      [['change', 'sum'], ['mean'], ['change', 'sum'], ['change', 'sum']],
    );
  });

  it("asks for a measurement's mean, in its own unit", async () => {
    const sent: Array<Record<string, unknown>> = [];
    const sender: CommandSender = {
      command: <T>(message: { type: string; [key: string]: unknown }) => {
        sent.push(message);
        return Promise.resolve({} as T);
      },
    };
    await fetchStatistics(sender, 'sensor.freezer', 'other', t0, t0 + hour, 'hour', 'mean');
    assert.deepEqual(sent[0]?.types, ['mean']);
    assert.deepEqual(sent[0]?.units, {});
  });
});
