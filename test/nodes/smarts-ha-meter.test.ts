import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import type { MeterStatus } from '../../core/ha/offline-message';
import { collect, ha, haProxyForSuite, helper, loadFlow, serverNode, setState, sleep, statuses, uniqueId, waitFor, type FlowNode } from '../integration/ha/support';

// Configuration and input errors need no Home Assistant; readings from the real HA are in test/integration/ha/.
// The offline alert (output 2) is tested below against the real HA of the stack (.stack/stack.json).
function flow(meter: Record<string, unknown>, withServer = true): FlowNode[] {
  return [
    ...(withServer ? [{ id: 'server', type: 'smarts-ha-server', url: 'http://127.0.0.1:1', heartbeat: 1 }] : []),
    { id: 'meter', type: 'smarts-ha-meter', server: withServer ? 'server' : '', entities: 'sensor.home_energy', interval: 3600, output: 'intervals', wires: [['out']], ...meter },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

describe('smarts-ha-meter without Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('without a server: red status, and a history request reaches Catch', { timeout: 10_000 }, async () => {
    await loadFlow(flow({}, false));
    const meter = helper.getNode('meter');
    const seen = statuses(meter);
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    await waitFor(() => seen.some((status) => status.fill === 'red' && /no Home Assistant server/.test(status.text ?? '')), 5000, 'red status');
    meter.receive({ topic: 'history', payload: { days: 3 } });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /no Home Assistant server/);
  });

  it('an entity id that is not domain.object_id shows on the status', { timeout: 10_000 }, async () => {
    await loadFlow(flow({ entities: 'Home Energy' }), { server: { token: 't0ken' } });
    const seen = statuses(helper.getNode('meter'));
    await waitFor(() => seen.some((status) => /is not an entity id/.test(status.text ?? '')), 5000, 'the status naming the bad id');
  });

  it('while Home Assistant is unreachable the status says so, with the reason', { timeout: 15_000 }, async () => {
    await loadFlow(flow({}), { server: { token: 't0ken' } });
    const seen = statuses(helper.getNode('meter'));
    await waitFor(() => seen.some((status) => status.fill === 'red' && /^disconnected: cannot connect/.test(status.text ?? '')), 10_000, 'disconnected status');
  });
});

interface StatusMsg {
  topic: string;
  payload: MeterStatus;
}

/** A meter whose output 1 goes to `out` and output 2 (meter_offline / meter_online) to `offline`. */
function offlineFlow(url: string, entityId: string, offlineGrace: number): FlowNode[] {
  return [
    serverNode('server', url),
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: entityId, interval: 3600, output: 'raw', offlineGrace, wires: [['out'], ['offline']] },
    { id: 'out', type: 'helper' },
    { id: 'offline', type: 'helper' },
  ];
}

const energyAttributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };

describe('smarts-ha-meter offline alert against the real Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });

  async function loadConnected(flow: FlowNode[]): Promise<{ seen: ReturnType<typeof statuses>; out: Array<{ payload: { value: number } }>; offline: StatusMsg[] }> {
    await loadFlow(flow, { server: { token: ha().token } });
    const seen = statuses(helper.getNode('meter'));
    const out = collect<{ payload: { value: number } }>(helper.getNode('out'));
    const offline = collect<StatusMsg>(helper.getNode('offline'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    return { seen, out, offline };
  }

  it('an entity unavailable past the grace period: one meter_offline on output 2, one meter_online when a number is back', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('offline')}`;
    const graceMs = 3000;
    await setState(entityId, 100, energyAttributes);
    const { seen, out, offline } = await loadConnected(offlineFlow(ha().url, entityId, graceMs / 60_000));
    await waitFor(() => out.some((msg) => msg.payload.value === 100), 10_000, 'the first reading on output 1');

    // A blip shorter than the grace period is no outage.
    await setState(entityId, 'unavailable', energyAttributes);
    await setState(entityId, 100.5, energyAttributes);
    await waitFor(() => out.some((msg) => msg.payload.value === 100.5), 10_000, 'the reading after the blip');
    await sleep(graceMs + 1500);
    assert.equal(offline.length, 0, 'no alert for an outage shorter than the grace period');

    const away = await setState(entityId, 'unavailable', energyAttributes);
    const awayAt = Date.parse(away.last_updated);
    await waitFor(() => offline.length >= 1, 20_000, 'meter_offline on output 2');
    const alertedAt = Date.now();
    const [alert] = offline;
    assert.equal(alert?.topic, 'meter_offline');
    assert.equal(alert?.payload.entity_id, entityId);
    assert.equal(alert?.payload.state, 'unavailable');
    assert.equal(alert?.payload.cause, 'unavailable');
    assert.equal(alert?.payload.kind, 'energy');
    assert.ok(Math.abs(Date.parse(alert?.payload.since ?? '') - awayAt) <= 1, `since ${alert?.payload.since} is when HA marked it unavailable (${away.last_updated})`);
    assert.ok(alertedAt >= awayAt + graceMs, 'not before the grace period is over');
    assert.ok((alert?.payload.duration_s ?? 0) >= graceMs / 1000);
    assert.match(alert?.payload.explanation ?? '', new RegExp(`^Energy meter ${entityId.replace('.', '\\.')} has been unavailable since \\d\\d:\\d\\d \\(\\d+ s\\): readings are not being recorded$`));
    await waitFor(() => seen.some((status) => status.fill === 'red' && status.text?.startsWith(`${entityId} offline since `) === true), 5000, 'red status "offline since"');
    assert.ok(!out.some((msg) => msg.payload === undefined || Number.isNaN(msg.payload.value)), 'output 1 never carried the unavailable state');

    // Still unavailable (another state write) and more time: no repeat.
    await setState(entityId, 'unknown', energyAttributes);
    await sleep(graceMs + 1000);
    assert.equal(offline.length, 1, 'one alert per outage');

    const back = await setState(entityId, 101, energyAttributes);
    await waitFor(() => offline.length >= 2, 10_000, 'meter_online on output 2');
    const online = offline[1];
    assert.equal(online?.topic, 'meter_online');
    assert.equal(online?.payload.state, '101');
    assert.equal(online?.payload.since, alert?.payload.since);
    assert.ok((online?.payload.duration_s ?? 0) >= Math.floor((Date.parse(back.last_updated) - awayAt) / 1000));
    assert.match(online?.payload.explanation ?? '', /is back online after \d+ s \(offline since \d\d:\d\d\)$/);
    await waitFor(() => seen.at(-1)?.fill === 'green', 5000, 'the status green again');
    await sleep(1000);
    assert.equal(offline.length, 2);
  });

  it('offline alert 0 = off: nothing on output 2', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('nooffline')}`;
    await setState(entityId, 5, energyAttributes);
    const { out, offline } = await loadConnected(offlineFlow(ha().url, entityId, 0));
    await waitFor(() => out.length >= 1, 10_000, 'the first reading');
    await setState(entityId, 'unavailable', energyAttributes);
    await sleep(4000);
    assert.equal(offline.length, 0);
  });

  it('"history answers only": no live readings, and the history answer (topic "history", an array) when asked', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('history_only')}`;
    await setState(entityId, 10, energyAttributes);
    const hour = 3_600_000;
    const first = Math.floor(Date.now() / hour) * hour - 48 * hour;
    const { importHourly } = await import('../integration/ha/statistics');
    await importHourly(entityId, first, Array.from({ length: 48 }, () => 0.5));
    const flow = offlineFlow(ha().url, entityId, 0).map((node) => (node.id === 'meter' ? { ...node, output: 'history' } : node));
    const { out } = await loadConnected(flow);
    await setState(entityId, 11, energyAttributes);
    await setState(entityId, 12, energyAttributes);
    await sleep(1500);
    assert.equal(out.length, 0, 'no live reading');
    helper.getNode('meter').receive({ topic: 'history', payload: { days: 2 } });
    await waitFor(() => out.length === 1, 30_000, 'the history answer');
    const answer = out[0] as unknown as { topic: string; payload: Array<{ entity_id: string; value: number }> };
    assert.equal(answer.topic, 'history');
    assert.ok(Array.isArray(answer.payload) && answer.payload.filter((reading) => reading.entity_id === entityId && reading.value === 0.5).length >= 24, JSON.stringify(answer.payload).slice(0, 300));
  });

  describe('when Home Assistant is out of reach', () => {
    const proxy = haProxyForSuite();

    it('reports the meter offline (cause connection) after the grace period, and online once its state arrives again', { timeout: 60_000 }, async () => {
      const entityId = `sensor.${uniqueId('unreachable')}`;
      const graceMs = 3000;
      await setState(entityId, 7, energyAttributes);
      const { seen, offline } = await loadConnected(offlineFlow(proxy.url, entityId, graceMs / 60_000));
      await sleep(500);
      proxy.refuse();
      const cutAt = Date.now();
      await waitFor(() => seen.some((status) => /^disconnected/.test(status.text ?? '')), 10_000, 'disconnected status');
      await waitFor(() => offline.length >= 1, 20_000, 'meter_offline while HA is out of reach');
      assert.equal(offline[0]?.topic, 'meter_offline');
      assert.equal(offline[0]?.payload.cause, 'connection');
      assert.equal(offline[0]?.payload.state, '7', 'the last state HA reported');
      assert.ok(Date.parse(offline[0]?.payload.since ?? '') >= cutAt);
      assert.match(offline[0]?.payload.explanation ?? '', /no connection to Home Assistant/);
      await setState(entityId, 8, energyAttributes);
      proxy.heal();
      await waitFor(() => offline.length >= 2, 30_000, 'meter_online after the reconnect');
      assert.equal(offline[1]?.topic, 'meter_online');
      assert.equal(offline[1]?.payload.state, '8', 'the state that arrived over the new connection');
      assert.equal(offline.length, 2);
    });
  });
});
