import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Reading } from '../../../core/reading';
import { collect, ha, haProxyForSuite, helper, loadFlow, requireHistoryIntegration, rest, serverNode, setState, sleep, statuses, uniqueId, waitFor, type FlowNode } from './support';

interface ReadingMsg {
  topic: string;
  payload: Reading;
}

function meterFlow(url: string, entityId: string, extra: Record<string, unknown>): FlowNode[] {
  return [
    serverNode('server', url),
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: entityId, interval: 3600, output: 'intervals', wires: [['out']], ...extra },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

function credentials(): Record<string, object> {
  return { server: { token: ha().token } };
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;
const total = (readings: readonly Reading[]): number => round(readings.reduce((sum, reading) => sum + reading.value, 0));

function assertContiguous(readings: readonly Reading[], intervalMs: number): void {
  for (let i = 1; i < readings.length; i += 1) {
    const previous = readings[i - 1] as Reading;
    const current = readings[i] as Reading;
    assert.equal(current.ts - previous.ts, intervalMs, `interval ${i} follows interval ${i - 1} without a gap or repeat`);
  }
}

describe('smarts-ha-meter against the real Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('emits live state changes normalised to kWh, skips and counts unavailable / non-numeric states', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('raw')}`;
    const attributes = { unit_of_measurement: 'Wh', device_class: 'energy', state_class: 'total_increasing' };
    await setState(entityId, 1500, attributes);
    await loadFlow(meterFlow(ha().url, entityId, { output: 'raw' }), credentials());
    const meter = helper.getNode('meter');
    const seen = statuses(meter);
    const out = collect<ReadingMsg>(helper.getNode('out'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    await sleep(500);
    await setState(entityId, 2500, attributes);
    await waitFor(() => out.some((msg) => msg.payload.value === 2.5), 10_000, 'the 2500 Wh state as 2.5 kWh');
    await setState(entityId, 'unavailable', attributes);
    await setState(entityId, 'not-a-number', attributes);
    await setState(entityId, 3000, attributes);
    await waitFor(() => out.some((msg) => msg.payload.value === 3), 10_000, 'the 3000 Wh state');
    // The state in force at start is emitted once (from history or the subscription), then every change.
    const readings = out.map((msg) => msg.payload);
    assert.deepEqual(readings.map((reading) => reading.value), [1.5, 2.5, 3]);
    for (const reading of readings) {
      assert.equal(reading.unit, 'kWh');
      assert.equal(reading.kind, 'energy');
      assert.equal(reading.entity_id, entityId);
      assert.equal(reading.hour, new Date(reading.ts).getHours());
    }
    await waitFor(() => seen.some((status) => /2 skipped/.test(status.text ?? '')), 5000, 'status counting 2 skipped states');
  });

  it('integrates power into energy per interval and closes an idle interval at 0', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('power')}`;
    const attributes = { unit_of_measurement: 'kW', device_class: 'power', state_class: 'measurement', friendly_name: 'Heat pump power' };
    await setState(entityId, 0, attributes);
    const intervalMs = 3000;
    await loadFlow(meterFlow(ha().url, entityId, { interval: intervalMs / 1000 }), credentials());
    const out = collect<ReadingMsg>(helper.getNode('out'));
    await waitFor(() => out.length >= 1, 15_000, 'a first closed interval');
    const on = await setState(entityId, 3.6, attributes); // 3.6 kW = 3600 W
    await sleep(4000);
    const off = await setState(entityId, 0, attributes);
    const offTs = Date.parse(off.last_updated);
    await waitFor(() => out.some((msg) => msg.payload.ts >= offTs + intervalMs), 20_000, 'an interval wholly after the power went off');
    const readings = out.map((msg) => msg.payload);
    const expected = round((3600 * (offTs - Date.parse(on.last_updated))) / 3.6e9);
    assert.ok(Math.abs(total(readings) - expected) < 2e-6, `total ${total(readings)} kWh, expected ${expected} kWh`);
    assertContiguous(readings, intervalMs);
    for (const reading of readings) {
      assert.equal(reading.unit, 'kWh');
      assert.equal(reading.kind, 'energy');
      assert.equal(reading.interval_s, 3);
      assert.equal(reading.friendly_name, 'Heat pump power', 'the name HA shows travels with every interval');
    }
    const idle = readings.filter((reading) => reading.ts >= offTs);
    assert.ok(idle.length >= 1 && idle.every((reading) => reading.value === 0), 'idle intervals are emitted as 0');
    // The node keeps the last emitted interval in its context (a persistent store carries it over a restart).
    const ledger = helper.getNode('meter').context().get('lastIntervalStart') as Record<string, number>;
    assert.equal(ledger[entityId], readings[readings.length - 1]?.ts);
  });

  it('a meter reset starts a new cycle: no negative or giant interval', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('reset')}`;
    const attributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };
    await setState(entityId, 100, attributes);
    const intervalMs = 3000;
    await loadFlow(meterFlow(ha().url, entityId, { interval: intervalMs / 1000 }), credentials());
    const out = collect<ReadingMsg>(helper.getNode('out'));
    await waitFor(() => out.length >= 1, 15_000, 'a first closed interval');
    await setState(entityId, 100.5, attributes);
    await setState(entityId, 0.2, attributes);
    const last = await setState(entityId, 0.4, attributes);
    const lastTs = Date.parse(last.last_updated);
    await waitFor(() => out.some((msg) => msg.payload.ts > lastTs), 15_000, 'the interval after the last state');
    const readings = out.map((msg) => msg.payload);
    assert.equal(total(readings), 0.9);
    assert.ok(readings.every((reading) => reading.value >= 0 && reading.value <= 0.9));
    assertContiguous(readings, intervalMs);
  });

  describe('backfill after the connection was cut while states changed', () => {
    const proxy = haProxyForSuite();

    it('the missed intervals arrive once, in order, marked backfilled', { timeout: 90_000 }, async () => {
      await requireHistoryIntegration();
      const entityId = `sensor.${uniqueId('gap')}`;
      const attributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };
      await setState(entityId, 10, attributes);
      const intervalMs = 3000;
      await loadFlow(meterFlow(proxy.url, entityId, { interval: intervalMs / 1000 }), credentials());
      const meter = helper.getNode('meter');
      const seen = statuses(meter);
      const out = collect<ReadingMsg>(helper.getNode('out'));
      await waitFor(() => out.length >= 1, 15_000, 'a first closed interval');
      await setState(entityId, 10.05, attributes);
      proxy.refuse();
      await waitFor(() => seen.some((status) => /^disconnected/.test(status.text ?? '')), 10_000, 'disconnected status');
      // Home Assistant carries on without us: three intervals' worth of consumption.
      await setState(entityId, 10.1, attributes);
      await sleep(intervalMs + 500);
      await setState(entityId, 10.3, attributes);
      await sleep(intervalMs + 500);
      await setState(entityId, 10.6, attributes);
      await sleep(intervalMs + 500);
      const outageEnd = Date.now();
      proxy.heal();
      await waitFor(() => out.some((msg) => msg.payload.ts >= outageEnd + intervalMs), 30_000, 'live intervals after the reconnect');
      const readings = out.map((msg) => msg.payload);
      assertContiguous(readings, intervalMs);
      assert.equal(total(readings), 0.6);
      const backfilled = readings.filter((reading) => reading.backfilled);
      assert.ok(backfilled.length >= 3, `at least the three missed intervals are backfilled (got ${backfilled.length})`);
      assert.ok(backfilled.some((reading) => reading.value > 0), 'backfilled intervals carry the consumption');
      await waitFor(() => seen.some((status) => /backfilled/.test(status.text ?? '')), 5000, 'status counting backfilled readings');
    });
  });

  it('answers topic "history" with every interval of the asked days from long-term statistics', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('history')}`;
    await setState(entityId, 500, { unit_of_measurement: 'kWh', device_class: 'energy' });
    const hour = 3_600_000;
    const currentHour = Math.floor(Date.now() / hour) * hour;
    const hours = 30 * 24;
    const first = currentHour - hours * hour;
    const changes = Array.from({ length: hours }, (_, i) => Math.round((0.2 + ((i * 7) % 24) / 20) * 1000) / 1000);
    const { importHourly } = await import('./statistics');
    await importHourly(entityId, first, changes);
    await loadFlow(meterFlow(ha().url, entityId, {}), credentials());
    const out = collect<{ topic: string; payload: Reading[] }>(helper.getNode('out'));
    const meter = helper.getNode('meter');
    const seen = statuses(meter);
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected');
    meter.receive({ topic: 'history', payload: { days: 30 } });
    await waitFor(() => out.some((msg) => msg.topic === 'history'), 30_000, 'the history answer');
    const answer = out.find((msg) => msg.topic === 'history')?.payload ?? [];
    const mine = answer.filter((reading) => reading.entity_id === entityId && reading.ts >= first);
    assert.equal(mine.length, hours);
    assert.deepEqual(mine.map((reading) => reading.value), changes);
    assert.equal(mine[0]?.ts, first);
    assertContiguous(mine, hour);
  });

  it('water in m³ is emitted in L, gas in ft³ in m³, and a person gives a location reading with latitude/longitude', { timeout: 30_000 }, async () => {
    const water = `sensor.${uniqueId('water')}`;
    const person = `person.${uniqueId('anna')}`;
    const waterAttributes = { unit_of_measurement: 'm³', device_class: 'water', state_class: 'total_increasing' };
    await setState(water, 12.5, waterAttributes);
    await setState(person, 'home', { latitude: 52.37, longitude: 4.89, gps_accuracy: 10 });
    const gas = `sensor.${uniqueId('gas')}`;
    const gasAttributes = { unit_of_measurement: 'ft³', device_class: 'gas', state_class: 'total_increasing' };
    await setState(gas, 1000, gasAttributes);
    await loadFlow(meterFlow(ha().url, `${water}, ${person}, ${gas}`, { output: 'raw' }), credentials());
    const seen = statuses(helper.getNode('meter'));
    const out = collect<ReadingMsg>(helper.getNode('out'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    await setState(water, 12.625, waterAttributes);
    await setState(person, 'not_home', { latitude: 52.09, longitude: 5.12, gps_accuracy: 10 });
    await setState(gas, 2000, gasAttributes);
    await waitFor(() => out.some((msg) => msg.payload.entity_id === gas && Math.abs(msg.payload.value - 56.633693) < 1e-5), 10_000, 'the gas reading in m³ (2000 ft³)');
    assert.equal(out.find((msg) => msg.payload.entity_id === gas)?.payload.unit, 'm³');
    assert.equal(out.find((msg) => msg.payload.entity_id === gas)?.payload.kind, 'gas');
    await waitFor(() => out.some((msg) => msg.payload.entity_id === water && msg.payload.value === 12625), 10_000, 'the water reading in L');
    await waitFor(() => out.some((msg) => msg.payload.entity_id === person && msg.payload.latitude === 52.09), 10_000, 'the location reading');
    const waterReading = out.find((msg) => msg.payload.value === 12625)?.payload;
    assert.equal(waterReading?.unit, 'L');
    assert.equal(waterReading?.kind, 'water');
    const location = out.find((msg) => msg.payload.entity_id === person && msg.payload.latitude === 52.09)?.payload;
    assert.equal(location?.kind, 'location');
    assert.equal(location?.longitude, 5.12);
    assert.equal(location?.unit, 'km');
    // The value is the distance from HA's configured home (equirectangular check, good to <1% here).
    const home = await rest<{ latitude: number; longitude: number }>('GET', '/api/config');
    const rad = Math.PI / 180;
    const x = (5.12 - home.longitude) * rad * Math.cos(((52.09 + home.latitude) / 2) * rad);
    const y = (52.09 - home.latitude) * rad;
    const expectedKm = Math.sqrt(x * x + y * y) * 6371;
    assert.ok(location && Math.abs(location.value - expectedKm) < expectedKm * 0.01 + 0.01, `distance ${location?.value} km, expected about ${expectedKm} km`);
  });

  it("the editor's entity picker lists meters, trackers and persons from HA, filtered by device class", { timeout: 30_000 }, async () => {
    const energy = `sensor.${uniqueId('pick_energy')}`;
    const temperature = `sensor.${uniqueId('pick_temp')}`;
    const tracker = `device_tracker.${uniqueId('pick_phone')}`;
    await setState(energy, 1, { unit_of_measurement: 'kWh', device_class: 'energy', friendly_name: 'Picker energy' });
    await setState(temperature, 20, { unit_of_measurement: '°C', device_class: 'temperature' });
    await setState(tracker, 'home', { latitude: 1, longitude: 2 });
    await loadFlow(meterFlow(ha().url, energy, {}), credentials());
    const seen = statuses(helper.getNode('meter'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    const all = await helper.request().get('/smarts-ha-server/server/entities');
    assert.equal(all.status, 200);
    const ids = (all.body as Array<{ entity_id: string }>).map((entity) => entity.entity_id);
    assert.ok(ids.includes(energy) && ids.includes(tracker), 'energy sensor and tracker offered');
    assert.ok(ids.includes(temperature), 'a numeric temperature sensor is offered too (any numeric sensor can be watched)');
    const stateText = `sensor.${uniqueId('pick_text')}`;
    await setState(stateText, 'on', { friendly_name: 'Not a number' });
    const again = await helper.request().get('/smarts-ha-server/server/entities');
    assert.ok(!(again.body as Array<{ entity_id: string }>).some((entity) => entity.entity_id === stateText), 'a sensor whose state is not a number is not offered');
    const mine = (all.body as Array<{ entity_id: string; name: string; device_class: string; unit: string }>).find((entity) => entity.entity_id === energy);
    assert.deepEqual(mine, { entity_id: energy, name: 'Picker energy', device_class: 'energy', unit: 'kWh' });
    const powerOnly = await helper.request().get('/smarts-ha-server/server/entities?device_class=power');
    assert.ok(!(powerOnly.body as Array<{ entity_id: string }>).some((entity) => entity.entity_id === energy));
  });

  it('a bad history request goes to Catch', { timeout: 20_000 }, async () => {
    const entityId = `sensor.${uniqueId('badhistory')}`;
    await setState(entityId, 1, { unit_of_measurement: 'kWh', device_class: 'energy' });
    await loadFlow(meterFlow(ha().url, entityId, {}), credentials());
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    helper.getNode('meter').receive({ topic: 'history', payload: { days: -2 } });
    helper.getNode('meter').receive({ topic: 'something-else' });
    await waitFor(() => errors.length === 2, 15_000, 'two errors at Catch');
    assert.match(errors.map((e) => e.error.message).join('\n'), /days must be a positive number/);
    assert.match(errors.map((e) => e.error.message).join('\n'), /answers msg.topic "history" only/);
  });
});
