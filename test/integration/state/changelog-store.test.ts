import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { readChangelog } from '../../../core/state/changelog-reader';
import { ChangelogStore } from '../../../core/state/changelog-store';
import { brokers, createTopic, uniqueName } from '../kafka/support';

const text = (states: Map<string, Buffer>) => Object.fromEntries([...states].map(([key, value]) => [key, value.toString()]));

// The changelog as the worker restores it, against the stack's broker: the newest value per key,
// tombstones honoured, only the partitions asked for, and a read that ends even when the log's
// last offsets are transaction markers (which no consumer delivers).
describe('series-state changelog against the real broker', { timeout: 120_000 }, () => {
  const kafka = new Kafka({ brokers: brokers(), clientId: 'changelog-test', logLevel: logLevel.NOTHING });
  const inputTopic = uniqueName('changelog-input');
  const store = new ChangelogStore(kafka, { topic: uniqueName('changelog'), inputTopic });

  before(async () => {
    await createTopic(inputTopic, 2);
  });
  after(async () => {
    await store.close();
  });

  it('reads the newest state of each key of the asked partitions, tombstones removing a key', async () => {
    await store.write([
      { partition: 0, key: 'sensor.a', value: Buffer.from('a1') },
      { partition: 0, key: 'sensor.b', value: Buffer.from('b1') },
      { partition: 1, key: 'sensor.c', value: Buffer.from('c1') },
      { partition: 0, key: 'sensor.a', value: Buffer.from('a2') },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: store.topic, messages: [{ partition: 0, key: 'sensor.b', value: null }] });
    await producer.disconnect();
    assert.deepEqual(text(await store.readPartitions([0])), { 'sensor.a': 'a2' });
    assert.deepEqual(text(await store.readPartitions([1])), { 'sensor.c': 'c1' });
    assert.deepEqual(text(await store.readPartitions([0, 1])), { 'sensor.a': 'a2', 'sensor.c': 'c1' });
  });

  it('ends on a log written in transactions, read committed or not, and read committed skips an aborted write', async () => {
    const topic = uniqueName('changelog-tx');
    await createTopic(topic, 1);
    const producer = kafka.producer({ transactionalId: uniqueName('changelog-tx-id'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const [value, commit] of [['v1', true], ['v2', false]] as const) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: [{ partition: 0, key: 'sensor.t', value }] });
      if (commit) await transaction.commit();
      else await transaction.abort();
    }
    await producer.disconnect();
    assert.deepEqual(text(await readChangelog(kafka, topic, [0], true)), { 'sensor.t': 'v1' }, 'read committed: the aborted v2 is not seen');
    assert.deepEqual(text(await readChangelog(kafka, topic, [0], false)), { 'sensor.t': 'v2' }, 'read uncommitted ends too (the last offset is an abort marker) and sees v2');
  });
});
