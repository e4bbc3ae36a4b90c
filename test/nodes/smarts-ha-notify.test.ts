import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { collect, helper, loadFlow, statuses, waitFor, type FlowNode } from '../integration/ha/support';

// No Home Assistant needed: the offline queue and input validation. Delivery to the real HA is in test/integration/ha/.
function flow(notify: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'server', type: 'smarts-ha-server', url: 'http://127.0.0.1:1', heartbeat: 1 },
    { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.mobile_app_phone', wires: [['out'], ['feedback']], ...notify },
    { id: 'out', type: 'helper' },
    { id: 'feedback', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

const scored = (entityId: string, score: number) => ({ entity_id: entityId, ts: Date.now(), value: 3, unit: 'kWh', kind: 'energy', hour: 2, score, expected: 0.3, anomaly: score > 1 });

describe('smarts-ha-notify without Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('queues alerts while HA is unreachable, bounded, dropping the oldest with a warning', { timeout: 15_000 }, async () => {
    await loadFlow(flow({ queueSize: 2 }), { server: { token: 't0ken' } });
    const notify = helper.getNode('notify');
    const seen = statuses(notify);
    const out = collect<{ alert: { queued: boolean } }>(helper.getNode('out'));
    for (const id of ['sensor.a', 'sensor.b', 'sensor.c']) notify.receive({ payload: scored(id, 3) });
    await waitFor(() => out.length === 3, 5000, 'three outcomes');
    assert.ok(out.every((msg) => msg.alert.queued));
    await waitFor(() => seen.some((status) => /2 queued/.test(status.text ?? '')), 5000, 'status "2 queued"');
    const warnings = helper.log().getCalls().map((call) => JSON.stringify(call.args));
    assert.ok(warnings.some((line) => /dropped the oldest alert for sensor.a/.test(line)), 'a warning names the dropped alert');
  });

  it('a payload that is not a scored reading reaches Catch', { timeout: 10_000 }, async () => {
    await loadFlow(flow(), { server: { token: 't0ken' } });
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    const out = collect(helper.getNode('out'));
    helper.getNode('notify').receive({ payload: 'hello' });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /must be a JSON object/);
    assert.equal(out.length, 0);
  });
});
