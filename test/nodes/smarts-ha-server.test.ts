import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { collect, helper, loadFlow, statuses, waitFor, type FlowNode } from '../integration/ha/support';

// No Home Assistant needed: configuration errors, credentials, the picker endpoint while unconnected.
// Behaviour against the real Home Assistant is in test/integration/ha/.
const token = 'sekret-token-do-not-log-123';

function flow(server: Record<string, unknown>): FlowNode[] {
  return [
    { id: 'server', type: 'smarts-ha-server', url: 'http://127.0.0.1:1', heartbeat: 1, ...server },
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: 'sensor.home_energy', interval: 3600, output: 'intervals', wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

describe('smarts-ha-server without Home Assistant', () => {
  afterEach(async () => {
    delete process.env.SUPERVISOR_TOKEN;
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('shows an unreachable Home Assistant on the nodes using it, and keeps the token out of logs and statuses', { timeout: 20_000 }, async () => {
    await loadFlow(flow({}), { server: { token } });
    const seen = statuses(helper.getNode('meter'));
    await waitFor(() => seen.some((status) => /^disconnected: cannot connect/.test(status.text ?? '')), 10_000, 'disconnected status with the reason');
    const logged = JSON.stringify(helper.log().getCalls().map((call) => call.args));
    assert.ok(!logged.includes(token), 'token not in the log');
    assert.ok(!JSON.stringify(seen).includes(token), 'token not in a status');
  });

  it('says what is missing when no URL is configured', { timeout: 10_000 }, async () => {
    await loadFlow(flow({ url: '' }), { server: { token } });
    const meter = helper.getNode('meter');
    const seen = statuses(meter);
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    await waitFor(() => seen.some((status) => /no Home Assistant URL configured/.test(status.text ?? '')), 5000, 'the configuration error on the status');
    meter.receive({ topic: 'history', payload: { days: 1 } });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /no Home Assistant URL configured/);
  });

  it('uses the supervisor as an add-on (SUPERVISOR_TOKEN set, no URL or token configured)', { timeout: 10_000 }, async () => {
    process.env.SUPERVISOR_TOKEN = 'supervisor-token';
    await loadFlow(flow({ url: '' }), {});
    const server = helper.getNode('server') as unknown as { client?: { status: { state: string } }; configError?: string };
    assert.equal(server.configError, undefined);
    assert.ok(server.client, 'a client was created for http://supervisor/core');
  });

  it('the entity picker endpoint answers 503 while not connected and 404 for an unknown server', { timeout: 10_000 }, async () => {
    await loadFlow(flow({}), { server: { token } });
    const unconnected = await helper.request().get('/smarts-ha-server/server/entities');
    assert.equal(unconnected.status, 503);
    const unknown = await helper.request().get('/smarts-ha-server/nope/entities');
    assert.equal(unknown.status, 404);
    // a server added in the editor and not deployed yet: the picker says to deploy it
    assert.match((unknown.body as { error: string }).error, /deploy the Home Assistant server first/);
    assert.equal((await helper.request().get('/smarts-ha-server/server/notify-services')).status, 503);
    assert.equal((await helper.request().get('/smarts-ha-server/nope/notify-services')).status, 404);
  });
});
