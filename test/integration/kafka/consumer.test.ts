import { strict as assert } from 'node:assert';
import { after, afterEach, describe, it } from 'node:test';
import { encodeSingleObject } from '../../../core/avro/single-object';
import { readingSchema } from '../../../core/avro/schemas';
import type { ProduceRecord } from '../../../core/kafka/types';
import { brokerNode, collect, sink, committedOffsets, createTopic, helper, onTab, readTopic, statuses, testClient, testNodeModules, uniqueName, waitFor, type FlowNode } from './support';

async function produce(records: ProduceRecord[]): Promise<void> {
  const producer = testClient().producerTransport();
  await producer.connect();
  await producer.send(records);
  await producer.disconnect();
}

function numbered(topic: string, count: number, from = 0): ProduceRecord[] {
  return Array.from({ length: count }, (_, index) => ({ topic, key: `k${(from + index) % 32}`, value: Buffer.from(JSON.stringify({ n: from + index })) }));
}

const n = (msg: Record<string, unknown>): number => (msg.payload as { n: number }).n;

describe('smarts-kafka-in on the real broker', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('two consumer nodes in one group on a 4-partition topic process every message exactly once between them', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-group');
    const groupId = uniqueName('group');
    await createTopic(topic, 4);
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode(),
        { id: 'in1', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', wires: [['sink1']] },
        { id: 'in2', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', wires: [['sink2']] },
        sink('sink1'),
        sink('sink2'),
      ]),
    );
    const first = collect('sink1');
    const second = collect('sink2');
    const firstStatus = statuses(helper.getNode('in1'));
    const secondStatus = statuses(helper.getNode('in2'));
    // Both members joined before anything is produced: no rebalance mid-way.
    const consuming = (seen: { text?: string }[]): boolean => seen.at(-1)?.text?.startsWith('consuming') === true;
    await waitFor(() => consuming(firstStatus) && consuming(secondStatus), 60000, 'both members in the group');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await produce(numbered(topic, 200));
    await waitFor(() => first.length + second.length >= 200, 60000, '200 messages');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(first.length > 0 && second.length > 0, `both members processed messages (${first.length} + ${second.length})`);
    const all = [...first, ...second].map(n).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 200 }, (_, index) => index), 'each message exactly once');
    const partitionsOf = (messages: Record<string, unknown>[]): Set<number> => new Set(messages.map((msg) => (msg.kafka as { partition: number }).partition));
    const overlap = [...partitionsOf(first)].filter((partition) => partitionsOf(second).has(partition));
    assert.deepEqual(overlap, [], 'partitions split between the members');
    await helper.unload();
    const committed = await committedOffsets(groupId, topic);
    const lastSeen = new Map<number, number>();
    for (const msg of [...first, ...second]) {
      const { partition, offset } = msg.kafka as { partition: number; offset: string };
      lastSeen.set(partition, Math.max(lastSeen.get(partition) ?? -1, Number(offset)));
    }
    for (const [partition, offset] of lastSeen) assert.equal(committed.get(partition), String(offset + 1), `partition ${partition} committed after the flow finished`);
  });

  it('commit-after-done: stopped mid-flow, a restarted consumer gets exactly the unfinished messages', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-commit');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    await produce(numbered(topic, 15));
    // Messages n >= 10 are held by the flow (a timer far in the future) and never finish before the stop.
    const holding: FlowNode[] = [
      brokerNode(),
      { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', maxInFlight: 8, wires: [['work']] },
      {
        id: 'work',
        type: 'function',
        func: 'const wait = msg.payload.n >= 10 ? 600000 : 10;\nsetTimeout(() => { node.send(msg); node.done(); }, wait);\nreturn null;',
        outputs: 1,
        wires: [['finished']],
      },
      sink('finished'),
      sink('seen'),
    ];
    (holding[1] as FlowNode).wires = [['work', 'seen']];
    await helper.load(testNodeModules(), onTab(holding));
    const finished = collect('finished');
    const seen = collect('seen');
    await waitFor(() => finished.length === 10 && seen.length === 15, 60000, '10 finished and 15 handed out');
    // Let the commit of offset 10 go out, then stop mid-flow.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await helper.unload();
    assert.equal((await committedOffsets(groupId, topic)).get(0), '10', 'committed up to the first unfinished message');

    await helper.load(
      testNodeModules(),
      onTab([brokerNode(), { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', wires: [['again']] }, sink('again')]),
    );
    const again = collect('again');
    await waitFor(() => again.length >= 5, 60000, 'the redelivered messages');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(again.map(n), [10, 11, 12, 13, 14]);
  });

  it('a malformed message reaches Catch with topic/partition/offset/raw bytes, goes to the dead-letter topic, and the consumer goes on', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-malformed');
    const deadLetterTopic = `${topic}-dlq`;
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    await createTopic(deadLetterTopic, 1);
    const garbage = Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const good = encodeSingleObject(readingSchema(), { entity_id: 'sensor.x', ts: 1, value: 2, unit: 'Wh', kind: 'energy', hour: 0, interval_s: null, latitude: null, longitude: null, backfilled: null, artefact: null });
    await produce([
      { topic, key: 'a', value: Buffer.from('{"n": 0}') },
      { topic, key: 'a', value: garbage },
      { topic, key: 'a', value: Buffer.from('{not json') },
      { topic, key: 'a', value: good },
    ]);
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode(),
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'auto', deadLetterTopic, wires: [['sink']] },
        sink('sink'),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        sink('errors'),
      ]),
    );
    const delivered = collect('sink');
    const errors = collect('errors');
    await waitFor(() => delivered.length === 2 && errors.length === 2, 60000, 'two good messages and two errors');
    assert.deepEqual(delivered.map((msg) => (msg.kafka as { offset: string }).offset), ['0', '3']);
    const kafka = errors.map((msg) => msg.kafka as { topic: string; partition: number; offset: string; raw: string });
    assert.deepEqual(kafka.map((entry) => [entry.topic, entry.partition, entry.offset]), [[topic, 0, '1'], [topic, 0, '2']]);
    assert.equal(Buffer.from(kafka[0]?.raw ?? '', 'base64').toString('hex'), garbage.toString('hex'));
    assert.match((errors[0]?.error as { message: string }).message, /unknown schema fingerprint/);
    assert.match((errors[1]?.error as { message: string }).message, /neither Avro nor JSON/);
    const dead = await readTopic(deadLetterTopic, 2);
    assert.deepEqual(dead.map((record) => record.value.toString('hex')), [garbage.toString('hex'), Buffer.from('{not json').toString('hex')]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await helper.unload();
    assert.equal((await committedOffsets(groupId, topic)).get(0), '4', 'committed past the malformed messages');
  });

  it('pause stops delivery, resume continues', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-pause');
    await createTopic(topic, 1);
    await helper.load(
      testNodeModules(),
      onTab([brokerNode(), { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, fromBeginning: true, format: 'json', wires: [['sink']] }, sink('sink')]),
    );
    const delivered = collect('sink');
    await produce(numbered(topic, 3));
    await waitFor(() => delivered.length === 3, 60000, 'the first three');
    helper.getNode('in').receive({ topic: 'pause' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await produce(numbered(topic, 3, 3));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(delivered.length, 3, 'nothing delivered while paused');
    helper.getNode('in').receive({ topic: 'resume' });
    await waitFor(() => delivered.length === 6, 30000, 'the rest after resume');
    assert.deepEqual(delivered.map(n), [0, 1, 2, 3, 4, 5]);
  });

  it('explicit ack mode: commits only what came back with msg.topic = "ack"', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-ack');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    await produce(numbered(topic, 4));
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode(),
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', ackMode: 'message', wires: [['sink']] },
        sink('sink'),
      ]),
    );
    const delivered = collect('sink');
    await waitFor(() => delivered.length === 4, 60000, 'four messages');
    for (const msg of delivered.slice(0, 2)) helper.getNode('in').receive({ ...msg, topic: 'ack' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await helper.unload();
    assert.equal((await committedOffsets(groupId, topic)).get(0), '2');
  });
});
