import { strict as assert } from 'node:assert';
import { ValueCodec } from '../../../core/avro/codec';
import { parseConfluent } from '../../../core/avro/confluent';
import { RegistryClient } from '../../../core/avro/registry';
import type { Reading } from '../../../core/reading';
import { committedOffsets, createTopic, testClient, uniqueName, waitFor, type PrivateRegistry } from './support';

/** A consumer of Confluent-format Avro readings: the smarts-kafka-in node or the worker. */
export interface ConsumerUnderTest {
  name: string;
  start(config: { topic: string; groupId: string; registryUrl: string }): Promise<void>;
  /** It shows (status, log) that it waits for the registry. */
  waiting(): boolean;
  /** What came out so far (the node's output, the worker's scored topic); waits up to `timeoutMs` for `atLeast`. */
  delivered(atLeast: number, timeoutMs: number): Promise<Pick<Reading, 'entity_id' | 'ts'>[]>;
  /** Messages it reported malformed or skipped. */
  rejected(): number;
  /** Stops gracefully (commits what is finished). */
  stop(): Promise<void>;
}

const meters = ['sensor.outage_a', 'sensor.outage_b'];
const perMeter = 4;

/**
 * The same body for every consumer: readings are written while the registry is up, the registry
 * is stopped, the consumer starts (nothing of the schema cached): it must wait and say so,
 * deliver nothing, report nothing malformed and commit nothing; once the registry is back every
 * reading comes out exactly once, in order per meter, and the group's offsets reach the end.
 */
export async function registryOutage(subject: ConsumerUnderTest, registry: PrivateRegistry): Promise<void> {
  const topic = uniqueName(`it-registry-outage-${subject.name}`);
  const groupId = uniqueName(`group-${subject.name}`);
  await createTopic(topic, 2);
  const readings: Reading[] = [];
  for (let i = 0; i < perMeter; i += 1) for (const entity_id of meters) readings.push({ entity_id, ts: Date.UTC(2026, 0, 1, i), value: 100 + i, unit: 'Wh', kind: 'energy', hour: i, interval_s: 3600 });
  const writer = new ValueCodec({ registry: new RegistryClient({ url: registry.url }) });
  const values = await Promise.all(readings.map((reading) => writer.encode('avro', topic, reading)));
  const schemaId = parseConfluent(values[0] as Buffer).schemaId;
  const producer = testClient().producerTransport();
  await producer.connect();
  await producer.send(readings.map((reading, index) => ({ topic, key: reading.entity_id, value: values[index] as Buffer })));
  await producer.disconnect();

  await registry.stop();
  try {
    await subject.start({ topic, groupId, registryUrl: registry.url });
    await waitFor(() => subject.waiting(), 60_000, `${subject.name} showing that it waits for the registry`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(await subject.delivered(1, 1000), [], 'nothing delivered while the registry is away');
    assert.equal(subject.rejected(), 0, 'nothing taken for malformed');
    const committed = await committedOffsets(groupId, topic);
    assert.ok([...committed.values()].every((offset) => offset === '-1'), `nothing committed while the registry is away: ${JSON.stringify([...committed])}`);
  } finally {
    await registry.start();
  }
  const again = await new ValueCodec({ registry: new RegistryClient({ url: registry.url }) }).encode('avro', topic, readings[0]);
  assert.equal(parseConfluent(again).schemaId, schemaId, 'the restarted registry kept the schema under its id');

  const delivered = await subject.delivered(readings.length, 60_000);
  const seen = delivered.map((reading) => `${reading.entity_id}@${reading.ts}`);
  assert.deepEqual([...seen].sort(), readings.map((reading) => `${reading.entity_id}@${reading.ts}`).sort(), 'every reading exactly once');
  for (const meter of meters) {
    const times = delivered.filter((reading) => reading.entity_id === meter).map((reading) => reading.ts);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), `${meter} in order`);
  }
  assert.equal(subject.rejected(), 0);
  await subject.stop();
  const committed = await committedOffsets(groupId, topic);
  const total = [...committed.values()].reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0);
  assert.equal(total, readings.length, `committed up to the end: ${JSON.stringify([...committed])}`);
}
