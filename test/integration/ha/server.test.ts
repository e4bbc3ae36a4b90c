import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ha, helper, loadFlow, sleep, statuses, waitFor } from './support';

describe('smarts-ha-server against the real Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('a refused token shows on every node using the server, is not retried, and never logged', { timeout: 30_000 }, async () => {
    const badToken = 'refused-token-0123456789';
    await loadFlow(
      [
        { id: 'server', type: 'smarts-ha-server', url: ha().url, heartbeat: 1 },
        { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: 'sensor.home_energy', interval: 3600, output: 'intervals', wires: [[]] },
        { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', wires: [[], []] },
      ],
      { server: { token: badToken } },
    );
    const meterStatuses = statuses(helper.getNode('meter'));
    const notifyStatuses = statuses(helper.getNode('notify'));
    await waitFor(() => meterStatuses.some((status) => /token refused; not retrying/.test(status.text ?? '')), 15_000, 'meter status "token refused"');
    await waitFor(() => notifyStatuses.some((status) => /token refused; not retrying/.test(status.text ?? '')), 5000, 'notify status "token refused"');
    const server = helper.getNode('server') as unknown as { client: { status: { state: string } } };
    await sleep(2000);
    assert.equal(server.client.status.state, 'auth-failed', 'still refused, no reconnect loop');
    const logged = JSON.stringify(helper.log().getCalls().map((call) => call.args));
    assert.match(logged, /refused the access token/);
    assert.ok(!logged.includes(badToken), 'the token is not in the log');
  });

  it('with a valid token every node shows connected', { timeout: 30_000 }, async () => {
    await loadFlow(
      [
        { id: 'server', type: 'smarts-ha-server', url: ha().url, heartbeat: 1 },
        { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: 'sensor.home_energy', interval: 3600, output: 'intervals', wires: [[]] },
        { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', wires: [[], []] },
      ],
      { server: { token: ha().token } },
    );
    const meterStatuses = statuses(helper.getNode('meter'));
    const notifyStatuses = statuses(helper.getNode('notify'));
    await waitFor(() => meterStatuses.some((status) => status.fill === 'green' && /^connected/.test(status.text ?? '')), 15_000, 'meter connected');
    await waitFor(() => notifyStatuses.some((status) => status.fill === 'green' && /^connected/.test(status.text ?? '')), 15_000, 'notify connected');
  });
});
