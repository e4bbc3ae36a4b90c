import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityMeter, type Rejection } from '../../../../core/ha/meter';
import type { Reading } from '../../../../core/reading';
import { FakeMeterSource } from './support/fake-meter-source';

const hour = 3_600_000;
const minute = 60_000;
const t0 = new Date(2026, 0, 5, 10, 0, 0).getTime();
const energy = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };

/** A started, caught-up meter of one entity whose state before t0 is `first`, with what it emits and refuses. */
async function meterOf(entityId: string, first: string, attributes: Record<string, unknown>, emitRaw = false) {
  const source = new FakeMeterSource();
  const emitted: Reading[] = [];
  const rejected: Rejection[] = [];
  const ledger = new Map<string, number>();
  let now = t0 + minute;
  const meter = new EntityMeter({
    entities: [entityId],
    intervalMs: hour,
    emitRaw,
    emitIntervals: !emitRaw,
    source,
    ledger: { get: (id) => ledger.get(id), set: (id, start) => ledger.set(id, start) },
    emit: (reading) => emitted.push(reading),
    onRejected: (rejection) => rejected.push(rejection),
    now: () => now,
    closeGraceMs: 0,
    stateWaitMs: 100,
  });
  await meter.start();
  source.state(entityId, first, t0 - minute, attributes);
  source.connect();
  await meter.settled();
  const at = (ts: number, value: string, attrs: Record<string, unknown> = attributes): void => {
    now = Math.max(now, ts);
    source.state(entityId, value, ts, attrs);
  };
  return { meter, emitted, rejected, at };
}

describe('EntityMeter: bad Home Assistant states are refused, counted and reported, the rest kept', () => {
  it('one absurd state (1e308 kWh) is refused; the hour still carries its real consumption', async () => {
    const { meter, emitted, rejected, at } = await meterOf('sensor.e', '100', energy);
    at(t0 + 10 * minute, '100.5');
    at(t0 + 20 * minute, '1e308');
    at(t0 + 30 * minute, '101');
    at(t0 + hour + minute, '101');
    assert.deepEqual(emitted.map((reading) => reading.value), [1]);
    assert.equal(meter.counters.rejected, 1);
    assert.equal(rejected[0]?.reason, 'implausible');
    assert.match(rejected[0]?.message ?? '', /sensor\.e: state '1e308' kWh refused/);
    await meter.stop();
  });

  it("'NaN', 'Infinity', '-Infinity' and '1e309' are refused; 'unavailable', 'unknown', '' and 'abc' are skipped; both counted", async () => {
    const { meter, emitted, rejected, at } = await meterOf('sensor.e', '100', energy);
    let minutes = 1;
    for (const state of ['NaN', 'Infinity', '-Infinity', '1e309', 'unavailable', 'unknown', '', 'abc']) at(t0 + (minutes += 1) * minute, state);
    at(t0 + 30 * minute, '100.4');
    at(t0 + hour + minute, '100.4');
    assert.deepEqual(rejected.map((rejection) => [rejection.state, rejection.reason]), [
      ['NaN', 'implausible'],
      ['Infinity', 'implausible'],
      ['-Infinity', 'implausible'],
      ['1e309', 'implausible'],
    ]);
    assert.equal(meter.counters.rejected, 4);
    assert.equal(meter.counters.skipped, 4);
    assert.deepEqual(emitted.map((reading) => Math.round(reading.value * 1000) / 1000), [0.4]);
    await meter.stop();
  });

  it('a raw reading of 1e308 is refused too, never emitted', async () => {
    const { meter, emitted, at } = await meterOf('sensor.e', '100', energy, true);
    at(t0 + 10 * minute, '1e308');
    at(t0 + 11 * minute, '100.2');
    assert.deepEqual(emitted.map((reading) => reading.value), [100.2]);
    assert.equal(meter.counters.rejected, 1);
    await meter.stop();
  });

  it('a negative total and a small decrease are refused and counted, consumption counts from the last good reading', async () => {
    const { meter, emitted, rejected, at } = await meterOf('sensor.e', '10', energy);
    at(t0 + 5 * minute, '-5');
    at(t0 + 6 * minute, '9.5');
    at(t0 + 7 * minute, '11');
    at(t0 + hour + minute, '11');
    assert.deepEqual(emitted.map((reading) => reading.value), [1]);
    assert.deepEqual(rejected.map((rejection) => rejection.reason), ['negative', 'decrease']);
    assert.equal(meter.counters.rejected, 2);
    await meter.stop();
  });

  it('a unit change mid-stream (Wh → kWh → MWh) is converted: the hour counts 1.5 kWh', async () => {
    const { meter, emitted, at } = await meterOf('sensor.e', '100000', { ...energy, unit_of_measurement: 'Wh' });
    at(t0 + 10 * minute, '100.5', energy);
    at(t0 + 20 * minute, '0.1015', { ...energy, unit_of_measurement: 'MWh' });
    at(t0 + hour + minute, '0.1015', { ...energy, unit_of_measurement: 'MWh' });
    assert.deepEqual(emitted.map((reading) => [reading.value, reading.unit]), [[1.5, 'kWh']]);
    assert.equal(meter.counters.rejected, 0);
    await meter.stop();
  });

  it('a unit that cannot be converted for the kind (an energy sensor in °C) is refused and reported', async () => {
    const { meter, emitted, rejected, at } = await meterOf('sensor.e', '100', energy);
    at(t0 + 10 * minute, '101', { ...energy, unit_of_measurement: '°C' });
    at(t0 + 20 * minute, '100.7');
    at(t0 + hour + minute, '100.7');
    assert.deepEqual(emitted.map((reading) => Math.round(reading.value * 1000) / 1000), [0.7]);
    assert.equal(rejected[0]?.reason, 'unit');
    assert.match(rejected[0]?.message ?? '', /'101' °C refused: its unit cannot be converted/);
    assert.equal(meter.counters.skipped, 0, 'a refusal is not a skip');
    await meter.stop();
  });

  it('out-of-order states are counted and left out; a duplicate of the last state is not counted twice', async () => {
    const { meter, emitted, at } = await meterOf('sensor.e', '100', energy);
    at(t0 + 20 * minute, '101');
    at(t0 + 10 * minute, '100.5'); // older than the last: out of order
    at(t0 + 20 * minute, '101'); // the same change again
    at(t0 + hour + minute, '101');
    assert.deepEqual(emitted.map((reading) => reading.value), [1]);
    assert.equal(meter.counters.stale, 1);
    assert.equal(meter.counters.rejected, 0);
    await meter.stop();
  });

  it('a meter replaced by one at a lower reading is a new baseline and counted as a replacement', async () => {
    const { meter, emitted, at } = await meterOf('sensor.e', '5000', energy);
    at(t0 + 10 * minute, '5001');
    at(t0 + 20 * minute, '40');
    at(t0 + 30 * minute, '40.5');
    at(t0 + hour + minute, '40.5');
    assert.deepEqual(emitted.map((reading) => reading.value), [1.5]);
    assert.equal(meter.counters.replacements, 1);
    await meter.stop();
  });
});

describe('EntityMeter: any numeric sensor', () => {
  const temperature = { unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement', friendly_name: 'Freezer temperature' };

  it('a temperature (state_class measurement) gives its time-weighted mean per interval, kind other, unit kept', async () => {
    const { meter, emitted, at } = await meterOf('sensor.freezer', '-18', temperature);
    at(t0 + 30 * minute, '-4');
    at(t0 + hour + minute, '-4');
    assert.equal(emitted.length, 1);
    const [reading] = emitted;
    assert.equal(reading?.kind, 'other');
    assert.equal(reading?.unit, '°C');
    assert.equal(reading?.friendly_name, 'Freezer temperature');
    // -18 from 10:00 to 10:30, -4 from 10:30 to 11:00.
    assert.equal(reading?.value, -11);
    await meter.stop();
  });

  it('a numeric sensor without a state class gives raw readings only', async () => {
    const { meter, emitted, at } = await meterOf('sensor.cpu', '12', { unit_of_measurement: '%' });
    at(t0 + hour + minute, '14');
    assert.deepEqual(emitted, []);
    await meter.stop();
  });
});
