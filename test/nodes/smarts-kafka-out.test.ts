import { strict as assert } from 'node:assert';
import { after, afterEach, describe, it } from 'node:test';
import { helper, onTab, testNodeModules, statuses, waitFor, type FlowNode } from '../integration/kafka/support';

// No broker needed: these prove the node's behaviour when Kafka is unreachable or the input is bad.
// Delivery through a real broker is in test/integration/kafka/.
const unreachable = { id: 'broker', type: 'smarts-kafka-broker', brokers: '127.0.0.1:1', saslMechanism: 'none', logLevel: 'error' };

function flow(out: Record<string, unknown>): FlowNode[] {
  return [
    unreachable,
    { id: 'out', type: 'smarts-kafka-out', broker: 'broker', format: 'json', wires: [[]], ...out },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

describe('smarts-kafka-out without a broker', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('buffers up to the bound, shows the buffered count, and refuses the next message to Catch', { timeout: 20000 }, async () => {
    await helper.load(testNodeModules(), onTab(flow({ topic: 't', bufferCount: 2 })));
    const out = helper.getNode('out');
    const errors: Record<string, unknown>[] = [];
    helper.getNode('errors').on('input', (msg: never) => errors.push(msg));
    const seen = statuses(out);
    for (const n of [1, 2, 3]) out.receive({ payload: { n } });
    await waitFor(() => errors.length === 1, 10000, 'the refused message at Catch');
    const error = errors[0]?.error as { message: string };
    assert.match(error.message, /send buffer full \(2\/2 records/);
    assert.deepEqual(errors[0]?.payload, { n: 3 });
    await waitFor(() => seen.some((status) => /buffered 2/.test(status.text ?? '')), 10000, 'status "buffered 2"');
  });

  it('a message without a topic goes to Catch with a clear error', { timeout: 10000 }, async () => {
    await helper.load(testNodeModules(), onTab(flow({ topic: '' })));
    const errors: Record<string, unknown>[] = [];
    helper.getNode('errors').on('input', (msg: never) => errors.push(msg));
    helper.getNode('out').receive({ payload: 1 });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /no topic configured and msg.topic is empty/);
  });

  it('an Avro message that is not a reading goes to Catch naming the field', { timeout: 10000 }, async () => {
    await helper.load(testNodeModules(), onTab(flow({ topic: 't', format: 'avro' })));
    const errors: Record<string, unknown>[] = [];
    helper.getNode('errors').on('input', (msg: never) => errors.push(msg));
    helper.getNode('out').receive({ payload: { entity_id: 'sensor.x', ts: 'noon', value: 1 } });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /'ts' must be a finite number/);
  });
});

describe('status throttling', () => {
  it('drops repeats, holds bursts, and always lands the last status', async () => {
    const { throttledStatus } = await import('../../nodes/shared/kafka-status');
    const shown: string[] = [];
    const set = throttledStatus((status) => shown.push(status.text ?? ''), 50);
    set({ text: 'a' });
    set({ text: 'a' });
    for (let n = 0; n < 100; n += 1) set({ text: `b${n}` });
    assert.deepEqual(shown, ['a']);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(shown, ['a', 'b99']);
  });
});
