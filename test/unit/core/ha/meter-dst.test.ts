import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityMeter } from '../../../../core/ha/meter';
import type { Reading } from '../../../../core/reading';
import { FakeMeterSource } from './support/fake-meter-source';

// Its own file: the zone is set for this process before any time is computed.
process.env.TZ = 'Europe/Berlin';

const hour = 3_600_000;
const minute = 60_000;

describe('EntityMeter across a daylight-saving change (Europe/Berlin)', () => {
  for (const [name, changeUtc, hours] of [
    ['spring forward (02:00 → 03:00)', Date.UTC(2026, 2, 29, 1, 0, 0), [0, 1, 3, 4]],
    ['fall back (03:00 → 02:00)', Date.UTC(2026, 9, 25, 1, 0, 0), [1, 2, 2, 3]],
  ] as const) {
    it(`${name}: one interval per real hour, none lost or doubled, each with its local hour`, async () => {
      const start = changeUtc - 2 * hour;
      const source = new FakeMeterSource();
      const emitted: Reading[] = [];
      let now = start + minute;
      const meter = new EntityMeter({
        entities: ['sensor.e'],
        intervalMs: hour,
        emitRaw: false,
        emitIntervals: true,
        source,
        ledger: { get: () => undefined, set: () => undefined },
        emit: (reading) => emitted.push(reading),
        now: () => now,
        closeGraceMs: 0,
        stateWaitMs: 100,
      });
      const attributes = { unit_of_measurement: 'kWh', device_class: 'energy' };
      await meter.start();
      source.state('sensor.e', '0', start - minute, attributes);
      source.connect();
      await meter.settled();
      for (let i = 0; i <= 4; i += 1) {
        now = start + i * hour + 30 * minute;
        source.state('sensor.e', String(i + 1), now, attributes);
      }
      assert.deepEqual(
        emitted.map((reading) => [(reading.ts - start) / hour, reading.hour, reading.value]),
        hours.map((localHour, i) => [i, localHour, 1]),
      );
      await meter.stop();
    });
  }
});
