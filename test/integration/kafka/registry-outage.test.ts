import { strict as assert } from 'node:assert';
import { createConnection, createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import { RegistryClient } from '../../../core/avro/registry';
import { stackInfo } from '../../support/stack';
import { brokerNode, collect, committedOffsets, createTopic, helper, onTab, sink, statuses, testClient, testNodeModules, uniqueName, waitFor } from './support';

/** A TCP proxy to the real registry that the test switches on; until then the port refuses connections. */
function registryProxy(target: URL): { port: number; open: () => Promise<void>; close: () => Promise<void> } {
  let server: Server | undefined;
  const port = 18000 + Math.floor(Math.random() * 1000);
  return {
    port,
    open: () =>
      new Promise((resolve) => {
        server = createServer((socket) => {
          const upstream = createConnection(Number(target.port), target.hostname);
          socket.pipe(upstream).pipe(socket);
          upstream.on('error', () => socket.destroy());
          socket.on('error', () => upstream.destroy());
        });
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

describe('smarts-kafka-in while the schema registry is unreachable', () => {
  const registry = stackInfo().registry;
  const proxy = registry ? registryProxy(new URL(registry.url)) : undefined;
  after(async () => {
    await helper.unload();
    await proxy?.close();
  });

  it('retries decoding instead of treating the message as malformed, then delivers it', { timeout: 90000 }, async (t) => {
    if (!registry || !proxy) {
      t.skip('the stack has no schema registry (stack.json registry: null)');
      return;
    }
    const topic = uniqueName('it-registry-outage');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    const reading = { entity_id: 'sensor.r', ts: 1, value: 7, unit: 'Wh', kind: 'energy' as const, hour: 0 };
    const value = await new ValueCodec({ registry: new RegistryClient({ url: registry.url }) }).encode('avro', topic, reading);
    const producer = testClient().producerTransport();
    await producer.connect();
    await producer.send([{ topic, key: 'sensor.r', value }]);
    await producer.disconnect();

    const proxied = new URL(registry.url);
    proxied.port = String(proxy.port);
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode({ registryUrl: proxied.toString() }),
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'auto', wires: [['sink']] },
        sink('sink'),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        sink('errors'),
      ]),
    );
    const seen = statuses(helper.getNode('in'));
    const delivered = collect('sink');
    const errors = collect('errors');
    await waitFor(() => seen.some((status) => /^retrying decode: schema registry http/.test(status.text ?? '')), 60000, 'the retrying status');
    assert.equal(delivered.length + errors.length, 0, 'neither delivered nor reported malformed while the registry is away');
    await proxy.open();
    await waitFor(() => delivered.length === 1, 30000, 'the message once the registry is back');
    assert.deepEqual(delivered[0]?.payload, reading);
    assert.equal(errors.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await helper.unload();
    assert.equal((await committedOffsets(groupId, topic)).get(0), '1');
  });
});
