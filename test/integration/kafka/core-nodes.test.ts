import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import type { ProduceRecord } from '../../../core/kafka/types';
import { brokerNode, collect, committedReaches, createTopic, helper, onTab, sink, statuses, testClient, testNodeModules, uniqueName, waitFor } from './support';

async function produce(records: ProduceRecord[]): Promise<void> {
  const producer = testClient().producerTransport();
  await producer.connect();
  await producer.send(records);
  await producer.disconnect();
}

/**
 * The reported stall: core switch nodes (which never call done) after smarts-kafka-in stopped
 * the consumer at its in-flight bound. Here 24 messages, a bound of 4, real broker.
 */
describe('smarts-kafka-in followed by core nodes, on the real broker', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('switch (match, no match, unwired output, checkall), change, filter: every message consumed and committed', { timeout: 90000 }, async () => {
    const topic = uniqueName('it-switch');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    await produce(Array.from({ length: 24 }, (_, n) => ({ topic, key: `k${n}`, value: Buffer.from(JSON.stringify({ n, level: Math.floor(n / 4) })) })));
    await helper.load(
      testNodeModules(),
      onTab([
        brokerNode(),
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'json', maxInFlight: 4, wires: [['route', 'all', 'filter']] },
        // n % 3 = 0 → wired output; n % 3 = 1 → unwired output; the rest match no rule.
        {
          id: 'route',
          type: 'switch',
          property: 'payload.n % 3',
          propertyType: 'jsonata',
          rules: [{ t: 'eq', v: '0', vt: 'num' }, { t: 'eq', v: '1', vt: 'num' }],
          checkall: 'false',
          repair: false,
          outputs: 2,
          wires: [['routed'], []],
        },
        // checkall: every message to both outputs (cloned), then a change node.
        {
          id: 'all',
          type: 'switch',
          property: 'payload.n',
          propertyType: 'msg',
          rules: [{ t: 'gte', v: '0', vt: 'num' }, { t: 'lt', v: '100', vt: 'num' }],
          checkall: 'true',
          repair: false,
          outputs: 2,
          wires: [['mark'], ['both']],
        },
        { id: 'mark', type: 'change', rules: [{ t: 'set', p: 'marked', pt: 'msg', to: 'yes', tot: 'str' }], wires: [['both']] },
        { id: 'filter', type: 'rbe', func: 'rbe', gap: '', start: '', inout: 'out', septopics: false, property: 'payload.level', topi: 'topic', wires: [['changes']] },
        sink('routed'),
        sink('both'),
        sink('changes'),
      ]),
    );
    const routed = collect('routed');
    const both = collect('both');
    const changes = collect('changes');
    const inStatus = statuses(helper.getNode('in'));

    const committed = await committedReaches(groupId, topic, '24', 60000);
    assert.equal(committed, '24', `every message committed; last status: ${inStatus.at(-1)?.text}; routed ${routed.length}, both ${both.length}`);
    const ns = (messages: Record<string, unknown>[]): number[] => messages.map((msg) => (msg.payload as { n: number }).n).sort((a, b) => a - b);
    assert.deepEqual(ns(routed), [0, 3, 6, 9, 12, 15, 18, 21]);
    assert.equal(both.length, 48, 'checkall: each message on both outputs');
    assert.deepEqual(ns(changes), [0, 4, 8, 12, 16, 20], 'filter: one message per level');
    await waitFor(() => inStatus.at(-1)?.text?.includes('0/4 in flight') === true, 10000, 'nothing left in flight');
  });
});
