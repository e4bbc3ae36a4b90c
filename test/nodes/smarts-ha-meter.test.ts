import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { collect, helper, loadFlow, statuses, waitFor, type FlowNode } from '../integration/ha/support';

// No Home Assistant needed: configuration and input errors. Readings from the real HA are in test/integration/ha/.
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
