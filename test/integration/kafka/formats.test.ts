import { strict as assert } from 'node:assert';
import { after, afterEach, describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import { encodeConfluent, parseConfluent } from '../../../core/avro/confluent';
import { RegistryClient } from '../../../core/avro/registry';
import { seedSchema } from '../../../core/avro/schemas';
import type { Reading } from '../../../core/reading';
import { stackRegistry } from '../../support/stack';
import { brokerNode, collect, sink, createTopic, helper, onTab, readTopic, testClient, testNodeModules, uniqueName, waitFor } from './support';

function readings(entity: string, count: number): Reading[] {
  return Array.from({ length: count }, (_, n) => ({ entity_id: entity, ts: 1_700_000_000_000 + n * 3_600_000, value: 100 + n, unit: 'Wh', kind: 'energy' as const, hour: n % 24, interval_s: 3600 }));
}

/** out → Kafka → in → sink, on the shared broker. */
async function roundTrip(format: 'avro' | 'json', broker = brokerNode()): Promise<{ topic: string; sent: Record<string, unknown>[]; received: Record<string, unknown>[] }> {
  const topic = uniqueName(`it-${format}`);
  await createTopic(topic, 1);
  await helper.load(
    testNodeModules(),
    onTab([
      broker,
      { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format, wires: [['sent']] },
      { id: 'sent', type: 'helper' },
      { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, fromBeginning: true, format: 'auto', wires: [['sink']] },
      sink('sink'),
    ]),
  );
  const sent = collect('sent');
  const received = collect('sink');
  for (const reading of readings('sensor.meter', 3)) helper.getNode('out').receive({ payload: reading });
  await waitFor(() => received.length === 3 && sent.length === 3, 30000, 'three readings through Kafka');
  return { topic, sent, received };
}

describe('Kafka nodes on the real broker: formats', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('Avro without a registry: single-object encoding, decoded back to the readings', { timeout: 60000 }, async () => {
    const { topic, sent, received } = await roundTrip('avro');
    assert.deepEqual(received.map((msg) => msg.payload), readings('sensor.meter', 3));
    assert.deepEqual(received.map((msg) => (msg.kafka as { encoding: string }).encoding), Array(3).fill('single-object-avro'));
    assert.deepEqual(sent.map((msg) => (msg.kafka as { offset: string }).offset), ['0', '1', '2']);
    const raw = await readTopic(topic, 3);
    assert.ok(raw.every((record) => record.value[0] === 0xc3 && record.value[1] === 0x01));
    assert.deepEqual(raw.map((record) => record.key), Array(3).fill('sensor.meter'));
  });

  it('topic from msg.topic, key from msg.key and headers from msg.headers travel to the consumer', { timeout: 60000 }, async () => {
    const topic = uniqueName('it-headers');
    await createTopic(topic, 1);
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode(),
        { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic: '', format: 'json', wires: [[]] },
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, fromBeginning: true, format: 'json', wires: [['sink']] },
        sink('sink'),
      ]),
    );
    const received = collect('sink');
    helper.getNode('out').receive({ topic, key: 'custom-key', headers: { source: 'test', attempt: 2 }, payload: readings('sensor.meter', 1)[0] });
    await waitFor(() => received.length === 1, 30000, 'the message');
    assert.equal(received[0]?.key, 'custom-key');
    assert.deepEqual(received[0]?.headers, { source: 'test', attempt: '2' });
    assert.equal(received[0]?.topic, topic);
  });

  it('JSON', { timeout: 60000 }, async () => {
    const { topic, received } = await roundTrip('json');
    assert.deepEqual(received.map((msg) => msg.payload), readings('sensor.meter', 3));
    const raw = await readTopic(topic, 3);
    assert.deepEqual(JSON.parse(raw[0]?.value.toString() ?? ''), readings('sensor.meter', 1)[0]);
  });

  it('Avro with the schema registry: Confluent wire format, subject <topic>-value', { timeout: 60000 }, async (t) => {
    const registry = stackRegistry();
    if ('skip' in registry) {
      t.skip(registry.skip);
      return;
    }
    const { topic, received } = await roundTrip('avro', brokerNode({ registryUrl: registry.url }));
    assert.deepEqual(received.map((msg) => msg.payload), readings('sensor.meter', 3));
    assert.ok(received.every((msg) => (msg.kafka as { encoding: string }).encoding === 'confluent-avro'));
    const raw = await readTopic(topic, 3);
    const ids = raw.map((record) => parseConfluent(record.value).schemaId);
    assert.equal(new Set(ids).size, 1);
    const versions = (await (await fetch(`${registry.url}/subjects/${topic}-value/versions`)).json()) as number[];
    assert.equal(versions.length, 1);
    const { schema } = (await (await fetch(`${registry.url}/schemas/ids/${ids[0]}`)).json()) as { schema: string };
    assert.equal((JSON.parse(schema) as { name: string }).name, 'Reading');
  });

  it("the seed's myrecord {hour, mwh} in the Confluent format decodes through the registry", { timeout: 60000 }, async (t) => {
    const registry = stackRegistry();
    if ('skip' in registry) {
      t.skip(registry.skip);
      return;
    }
    const topic = uniqueName('it-seed');
    await createTopic(topic, 1);
    const client = new RegistryClient({ url: registry.url });
    const id = await client.idFor(`${topic}-value`, seedSchema());
    const producer = testClient().producerTransport();
    await producer.connect();
    await producer.send([{ topic, key: null, value: encodeConfluent(id, seedSchema().type.toBuffer({ hour: 4, mwh: 1500 })) }]);
    await producer.disconnect();
    const decoded = await new ValueCodec({ registry: new RegistryClient({ url: registry.url }) }).decode((await readTopic(topic, 1))[0]?.value ?? Buffer.alloc(0));
    assert.deepEqual(decoded.value, { hour: 4, mwh: 1500 });
    assert.equal(decoded.schema, 'myrecord');
  });

  it('order per key: each meter on one partition, in the order sent', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-order');
    await createTopic(topic, 4);
    await helper.load(testNodeModules(), onTab([brokerNode(), { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format: 'json', wires: [['sent']] }, { id: 'sent', type: 'helper' }]));
    const sent = collect('sent');
    const entities = ['sensor.a', 'sensor.b', 'sensor.c', 'sensor.d', 'sensor.e', 'sensor.f'];
    const perEntity = 40;
    for (let n = 0; n < perEntity; n += 1) {
      for (const entity of entities) helper.getNode('out').receive({ payload: { entity_id: entity, ts: n, value: n, unit: 'Wh', kind: 'energy', hour: 0 } });
    }
    const total = entities.length * perEntity;
    await waitFor(() => sent.length === total, 60000, 'all records acknowledged');
    const raw = await readTopic(topic, total);
    assert.equal(raw.length, total);
    for (const entity of entities) {
      const records = raw.filter((record) => record.key === entity).sort((a, b) => Number(a.offset) - Number(b.offset));
      assert.equal(new Set(records.map((record) => record.partition)).size, 1, `${entity} on one partition`);
      assert.deepEqual(records.map((record) => (JSON.parse(record.value.toString()) as { value: number }).value), Array.from({ length: perEntity }, (_, n) => n), `${entity} in order`);
    }
    assert.ok(new Set(raw.map((record) => record.partition)).size > 1, 'keys spread over partitions');
  });
});
