import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaClient, type ConnectionStatus } from '../../../core/ha/client';
import { EntityStreamDecoder, type EntityState } from '../../../core/ha/entity-stream';
import { resolveServerConfig } from '../../../core/ha/server-config';
import { ha, haProxyForSuite, setState, sleep, uniqueId, waitFor } from './support';

// The shared Home Assistant is never restarted: a proxy the test controls stands between client and HA.
describe('HA connection through a proxy the test controls', () => {
  const proxy = haProxyForSuite();

  function client(token = ha().token): HaClient {
    return new HaClient({
      config: resolveServerConfig({ url: proxy.url, token }, {}),
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 1000,
      connectTimeoutMs: 3000,
      initialRetry: { initialMs: 200, maxMs: 1000 },
    });
  }

  /** Subscribes to one entity and records every state it gets. */
  async function watch(haClient: HaClient, entityId: string): Promise<EntityState[]> {
    const decoder = new EntityStreamDecoder();
    const seen: EntityState[] = [];
    await haClient.subscribe({ type: 'subscribe_entities', entity_ids: [entityId] }, (event) => seen.push(...decoder.decode(event)));
    return seen;
  }

  /** A fresh energy entity at state 1, and a client through the proxy watching it, counting ready events and statuses. */
  async function watchedEntity(prefix: string) {
    const entityId = `sensor.${uniqueId(prefix)}`;
    const setEnergy = (value: number) => setState(entityId, value, { unit_of_measurement: 'kWh', device_class: 'energy' });
    await setEnergy(1);
    const haClient = client();
    const states: ConnectionStatus[] = [];
    haClient.onStatus((status) => states.push(status));
    let readyCount = 0;
    haClient.onReady(() => (readyCount += 1));
    haClient.start();
    const seen = await watch(haClient, entityId);
    return { haClient, states, seen, setEnergy, ready: () => readyCount };
  }

  it('a refused token stops retrying and says so', { timeout: 20_000 }, async () => {
    const bad = client('not-a-valid-token');
    const states: ConnectionStatus[] = [];
    bad.onStatus((status) => states.push(status));
    const before = proxy.connections;
    bad.start();
    await waitFor(() => bad.status.state === 'auth-failed', 10_000, 'auth-failed');
    await sleep(2500);
    assert.equal(proxy.connections - before, 1, 'exactly one connection attempt');
    assert.equal(bad.status.state, 'auth-failed');
    assert.ok(!JSON.stringify(states).includes('not-a-valid-token'), 'the token never appears in a status');
    await bad.stop();
  });

  it('after the socket is cut it reconnects, resubscribes, and states flow again', { timeout: 30_000 }, async () => {
    const { haClient, states, seen, setEnergy, ready } = await watchedEntity('cut');
    await waitFor(() => ready() === 1 && seen.length >= 1, 10_000, 'first connection');
    proxy.cut();
    await waitFor(() => states.some((status) => status.state === 'disconnected'), 10_000, 'disconnected status');
    await waitFor(() => ready() === 2, 15_000, 'ready after reconnect');
    await setEnergy(2);
    await waitFor(() => seen.some((state) => state.state === '2'), 10_000, 'a state set after the reconnect');
    await haClient.stop();
  });

  it('a frozen (half-open) connection is detected by the heartbeat and replaced', { timeout: 30_000 }, async () => {
    const { haClient, states, seen, setEnergy, ready } = await watchedEntity('frozen');
    await waitFor(() => ready() === 1, 10_000, 'first connection');
    proxy.freeze();
    await waitFor(
      () => states.some((status) => status.state === 'disconnected' && /pong|half-open/.test(status.reason)),
      10_000,
      'the heartbeat to notice the frozen link',
    );
    proxy.heal();
    await waitFor(() => ready() === 2, 15_000, 'ready after the frozen link was replaced');
    await setEnergy(3);
    await waitFor(() => seen.some((state) => state.state === '3'), 10_000, 'a state set after recovery');
    await haClient.stop();
  });

  it('"HA restarted" (cut, then refused for a while): updates resume afterwards', { timeout: 40_000 }, async () => {
    const { haClient, seen, setEnergy, ready } = await watchedEntity('restart');
    await waitFor(() => ready() === 1, 10_000, 'first connection');
    proxy.refuse();
    await waitFor(() => haClient.status.state === 'disconnected', 10_000, 'disconnected');
    await sleep(4000);
    assert.notEqual(haClient.status.state, 'auth-failed');
    await setEnergy(5);
    proxy.heal();
    await waitFor(() => ready() === 2, 20_000, 'ready after HA came back');
    // The state changed while "HA was down" arrives with the renewed subscription.
    await waitFor(() => seen.some((state) => state.state === '5'), 10_000, 'the state changed during the outage');
    await setEnergy(6);
    await waitFor(() => seen.some((state) => state.state === '6'), 10_000, 'live updates after the restart');
    await haClient.stop();
  });
});
