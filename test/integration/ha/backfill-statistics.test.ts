import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityMeter } from '../../../core/ha/meter';
import { fetchStatistics } from '../../../core/ha/recorder';
import { hourMs, meterUnitsByDimension } from '../../../core/units';
import type { Reading } from '../../../core/reading';
import { importHourly } from './statistics';
import { connectedClient, requireHistoryIntegration, setState, sleep, uniqueId, waitFor } from './support';

// A Node-RED restart: the node context says which hour was emitted last; the hours since then come
// from Home Assistant's long-term statistics, once each, in order, marked backfilled.
describe('meter backfill from long-term statistics', () => {
  it('emits the hours after the last emitted one from recorder statistics', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('stats')}`;
    await setState(entityId, 42, { unit_of_measurement: 'kWh', device_class: 'energy' });
    const hour = 3_600_000;
    const currentHour = Math.floor(Date.now() / hour) * hour;
    const first = currentHour - 6 * hour;
    const changes = [0.4, 1.25, 0.3, 0, 2.5, 0.75];
    await importHourly(entityId, first, changes);

    const stored = new Map<string, number>([[entityId, first]]);
    const emitted: Reading[] = [];
    const client = await connectedClient();
    const meter = new EntityMeter({
      entities: [entityId],
      intervalMs: hour,
      emitRaw: false,
      emitIntervals: true,
      source: client,
      ledger: { get: (id) => stored.get(id), set: (id, start) => stored.set(id, start) },
      emit: (reading) => emitted.push(reading),
    });
    try {
      await meter.start();
      await waitFor(() => emitted.length >= 5, 20_000, 'five backfilled hours');
      await meter.settled();
      assert.deepEqual(
        emitted.map((reading) => [(reading.ts - first) / hour, reading.value, reading.backfilled]),
        changes.slice(1).map((change, i) => [i + 1, change, true]),
      );
      assert.equal(stored.get(entityId), currentHour - hour, 'the ledger moved to the last backfilled hour');
      assert.ok(emitted.every((reading) => reading.unit === 'kWh' && reading.interval_s === 3600));
    } finally {
      await meter.stop();
      await client.stop();
    }
  });
});

// A Node-RED restart with short intervals: the second meter picks up exactly where the first stopped.
describe('meter restart with the ledger kept', () => {
  it('neither skips nor repeats an interval across a restart, backfilling from history', { timeout: 90_000 }, async () => {
    await requireHistoryIntegration();
    const entityId = `sensor.${uniqueId('restart')}`;
    const attributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };
    await setState(entityId, 50, attributes);
    const intervalMs = 3000;
    const stored = new Map<string, number>();
    const emitted: Reading[] = [];
    const client = await connectedClient();
    const meterWith = (): EntityMeter =>
      new EntityMeter({
        entities: [entityId],
        intervalMs,
        emitRaw: false,
        emitIntervals: true,
        source: client,
        ledger: { get: (id) => stored.get(id), set: (id, start) => stored.set(id, start) },
        emit: (reading) => emitted.push(reading),
      });
    try {
      const first = meterWith();
      await first.start();
      await waitFor(() => emitted.length >= 2, 20_000, 'two intervals from the first meter');
      await setState(entityId, 50.25, attributes);
      await waitFor(() => emitted.some((reading) => reading.value > 0), 20_000, 'the first meter counting');
      await first.stop();
      const stoppedAt = emitted.length;
      // Node-RED is down; the meter carries on.
      await setState(entityId, 50.5, attributes);
      await sleep(intervalMs + 200);
      await setState(entityId, 51, attributes);
      await sleep(intervalMs + 200);
      const second = meterWith();
      await second.start();
      const restartedAt = Date.now();
      await waitFor(() => emitted.some((reading) => reading.ts >= restartedAt), 20_000, 'live intervals after the restart');
      await second.stop();
      for (let i = 1; i < emitted.length; i += 1) {
        assert.equal((emitted[i] as Reading).ts - (emitted[i - 1] as Reading).ts, intervalMs, `interval ${i} follows without gap or repeat`);
      }
      assert.ok(emitted.slice(stoppedAt).some((reading) => reading.backfilled), 'the intervals missed while stopped are backfilled');
      assert.equal(Math.round(emitted.reduce((sum, reading) => sum + reading.value, 0) * 1e6) / 1e6, 1);
    } finally {
      await client.stop();
    }
  });
});

describe('statistics queries the meter sends', () => {
  it('answer the imported hours for each cumulative kind, in the units the meter asks for', { timeout: 60_000 }, async () => {
    const hour = hourMs;
    const first = Math.floor(Date.now() / hour) * hour - 4 * hour;
    const changes = [0.5, 1.5, 0, 2.25];
    const client = await connectedClient();
    try {
      for (const kind of ['energy', 'water', 'gas'] as const) {
        const unit = Object.values(meterUnitsByDimension(kind))[0] as string;
        const entityId = `sensor.${uniqueId(`stats_${kind}`)}`;
        await importHourly(entityId, first, changes, unit);
        const rows = await fetchStatistics(client, entityId, kind, first, first + changes.length * hour, 'hour');
        assert.deepEqual(
          rows.map((row) => [(row.start - first) / hour, row.change]),
          changes.map((change, i) => [i, change]),
          `${kind} in ${unit}: every imported hour with its change`,
        );
      }
    } finally {
      await client.stop();
    }
  });

  it('are accepted for power (mean) and for the 5-minute period', { timeout: 30_000 }, async () => {
    const client = await connectedClient();
    try {
      const now = Date.now();
      for (const kind of ['energy', 'power', 'water', 'gas'] as const) {
        for (const period of ['hour', '5minute'] as const) {
          // An answer, not an error: HA refuses unknown types, units or periods with invalid_format.
          const rows = await fetchStatistics(client, 'sensor.home_energy', kind, now - hourMs, now, period);
          assert.ok(Array.isArray(rows), `${kind}/${period} answered`);
        }
      }
    } finally {
      await client.stop();
    }
  });
});
