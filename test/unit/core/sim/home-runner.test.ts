import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Reading } from '../../../../core/reading';
import { backfillMessage, createHousehold, startSimulatedHome, withAnomalies } from '../../../../core/sim';
import { hourMs } from '../../../../core/units';

const from = new Date(2026, 3, 6, 0, 0).getTime();

describe('simulated home runner', () => {
  it('writes one simulated hour per tick: the meter total, then the hour as a reading at simulated time', async () => {
    const home = withAnomalies(createHousehold({ seed: 2 }), [{ kind: 'spike', start: from + 2 * hourMs, kwh: 4 }]);
    const totals: number[] = [];
    const readings: Reading[] = [];
    const running = startSimulatedHome({
      source: home,
      entityId: 'sensor.sim',
      from,
      initialKwh: 500,
      realMsPerHour: 2,
      sinks: {
        meter: async (sample) => void totals.push(sample.total),
        reading: async (reading) => void readings.push(reading),
      },
    });
    while (running.hours < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    await running.stop();
    const count = readings.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(readings.length, count, 'kept running after stop');
    assert.deepEqual(readings.slice(0, 6).map((r) => r.ts), [0, 1, 2, 3, 4, 5].map((i) => from + i * hourMs));
    assert.deepEqual(readings.slice(0, 3).map((r) => r.hour), [0, 1, 2]);
    assert.ok(readings[2]!.value > 4, 'the spike is in the third hour');
    assert.ok(readings.every((r) => r.entity_id === 'sensor.sim' && r.unit === 'kWh' && r.kind === 'energy' && r.interval_s === 3600));
    assert.ok(Math.abs(totals[count - 1]! - 500 - readings.reduce((sum, r) => sum + r.value, 0)) < 0.01);
  });

  it('keeps to a fixed schedule from firstAt (a meter on a simulated clock expects hour k at firstAt + k × realMsPerHour)', async () => {
    const firstAt = Date.now() + 100;
    const writtenAt: number[] = [];
    const running = startSimulatedHome({
      source: createHousehold(),
      entityId: 'sensor.sim',
      from,
      initialKwh: 0,
      realMsPerHour: 20,
      firstAt,
      sinks: { meter: async () => void writtenAt.push(Date.now()) },
    });
    while (running.hours < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await running.stop();
    // Node's timers run on a monotonic clock and may fire a millisecond before Date.now() says they are due
    writtenAt.slice(0, 3).forEach((at, hour) => assert.ok(at >= firstAt + hour * 20 - 2, `hour ${hour} written ${at - firstAt} ms after firstAt`));
  });

  it('reports a failing sink and goes on', async () => {
    const errors: string[] = [];
    let calls = 0;
    const running = startSimulatedHome({
      source: createHousehold(),
      entityId: 'sensor.sim',
      from,
      initialKwh: 0,
      realMsPerHour: 2,
      sinks: {
        meter: async () => {
          calls += 1;
          if (calls === 1) throw new Error('HA is down');
        },
      },
      onError: (error) => errors.push(error.message),
    });
    while (calls < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await running.stop();
    assert.deepEqual(errors, ['HA is down']);
  });
});

describe('backfill for Home Assistant statistics', () => {
  it('gives weeks of hourly statistics ending before the given hour, continuing the meter', () => {
    const { message, total } = backfillMessage(createHousehold({ seed: 4 }), 'sensor.sim', 'Simulated home', from, 28, 100);
    assert.equal(message.type, 'recorder/import_statistics');
    assert.equal(message.metadata.statistic_id, 'sensor.sim');
    assert.equal(message.stats.length, 28 * 24);
    assert.equal(message.stats[0]!.start, new Date(from - 28 * 24 * hourMs).toISOString());
    assert.equal(message.stats.at(-1)!.start, new Date(from - hourMs).toISOString());
    assert.equal(message.stats.at(-1)!.state, total);
    for (let i = 1; i < message.stats.length; i += 1) assert.ok(message.stats[i]!.sum > message.stats[i - 1]!.sum);
    assert.ok(total > 100 + 28 * 5);
  });
});
