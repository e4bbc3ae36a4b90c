import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { collect, ha, helper, loadFlow, serverNode, setState, statuses, uniqueId, waitFor, type FlowNode } from '../integration/ha/support';

const energyAttributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };

interface CaughtMsg {
  topic: string;
  payload: { entity_id: string; state: string; reason: string };
  error: { message: string; source: { id: string } };
}

function flow(entityId: string): FlowNode[] {
  return [
    serverNode('server', ha().url),
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: entityId, interval: 3600, output: 'both', offlineGrace: 0, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

describe('smarts-ha-meter: bad states from the real Home Assistant reach Catch, are counted, the flow keeps running', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('1e308, a negative total and a unit it cannot convert: each refused at Catch, "3 rejected" on the status, the next good state still sent', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('badinput')}`;
    await setState(entityId, 100, energyAttributes);
    await loadFlow(flow(entityId), { server: { token: ha().token } });
    const meter = helper.getNode('meter');
    const seen = statuses(meter);
    const out = collect<{ payload: { value: number } }>(helper.getNode('out'));
    const errors = collect<CaughtMsg>(helper.getNode('errors'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    await setState(entityId, '1e308', energyAttributes);
    await setState(entityId, -5, energyAttributes);
    await setState(entityId, 101, { ...energyAttributes, unit_of_measurement: '°C' });
    await setState(entityId, 100.5, energyAttributes);
    await waitFor(() => out.some((msg) => msg.payload.value === 100.5), 10_000, 'the good state after the bad ones');
    await waitFor(() => errors.length === 3, 10_000, 'three refusals at Catch');
    assert.deepEqual(
      errors.map((msg) => [msg.topic, msg.payload.state, msg.payload.reason, msg.error.source.id]),
      [
        [entityId, '1e308', 'implausible', 'meter'],
        [entityId, '-5', 'negative', 'meter'],
        [entityId, '101', 'unit', 'meter'],
      ],
    );
    assert.match(errors[0]?.error.message ?? '', /state '1e308' kWh refused/);
    assert.ok(!out.some((msg) => !Number.isFinite(msg.payload.value) || msg.payload.value > 1e9), 'no absurd value was sent');
    await waitFor(() => seen.some((status) => /3 rejected/.test(status.text ?? '')), 5000, '"3 rejected" on the status');
  });
});
