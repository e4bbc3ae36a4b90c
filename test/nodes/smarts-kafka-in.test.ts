import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import type { NodeAPI } from 'node-red';
import { FlowCompletion } from '../../nodes/shared/kafka-flow-completion';
import { helper, onTab, testNodeModules, waitFor, type FlowNode } from '../integration/kafka/support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hooks } = require('@node-red/util') as { hooks: NodeAPI['hooks'] };

/**
 * How smarts-kafka-in learns that the flow has finished with a message, proved with the real
 * Node-RED runtime (its Flow/Node classes fire the hooks). The consumer itself is proved
 * against the real broker in test/integration/kafka/.
 */
describe('smarts-kafka-in: flow completion', () => {
  let completion: FlowCompletion | undefined;
  afterEach(async () => {
    completion?.close();
    completion = undefined;
    await helper.unload();
  });

  async function sendThrough(flow: FlowNode[], msg: Record<string, unknown>): Promise<{ finishedAt: () => number | undefined; events: string[]; caught: unknown[] }> {
    await helper.load(testNodeModules(), onTab(flow));
    const events: string[] = [];
    const caught: unknown[] = [];
    if (flow.some((node) => node.id === 'caught')) helper.getNode('caught').on('input', (message: unknown) => caught.push(message));
    let finishedAt: number | undefined;
    completion = new FlowCompletion(hooks, 'test-completion');
    for (const id of flow.filter((node) => node.type === 'helper' && node.id !== 'source' && node.id !== 'caught').map((node) => node.id)) {
      helper.getNode(id).on('input', () => events.push(`${id} received`));
    }
    const msgid = `m-${Date.now()}`;
    completion.track(msgid, () => {
      finishedAt = Date.now();
      events.push('finished');
    });
    helper.getNode('source').send({ ...msg, _msgid: msgid });
    completion.sent(msgid);
    return { finishedAt: () => finishedAt, events, caught };
  }

  it('finishes only after every branch, including a slow asynchronous one, has called done', { timeout: 10000 }, async () => {
    const flow: FlowNode[] = [
      { id: 'source', type: 'helper', wires: [['slow', 'fast']] },
      {
        id: 'slow',
        type: 'function',
        func: 'setTimeout(() => { node.send(msg); node.done(); }, 300); return null;',
        outputs: 1,
        wires: [['end']],
      },
      { id: 'fast', type: 'change', rules: [{ t: 'set', p: 'fast', pt: 'msg', to: 'yes', tot: 'str' }], wires: [['end']] },
      { id: 'end', type: 'function', func: 'return null;', outputs: 1, wires: [[]] },
    ];
    const started = Date.now();
    const run = await sendThrough(flow, { payload: 1 });
    await waitFor(() => run.finishedAt() !== undefined, 5000, 'the message to finish');
    assert.ok((run.finishedAt() as number) - started >= 290, 'finished before the slow branch was done');
  });

  it('follows the message through link out / link in nodes', { timeout: 10000 }, async () => {
    const flow: FlowNode[] = [
      { id: 'source', type: 'helper', wires: [['linkout']] },
      { id: 'linkout', type: 'link out', mode: 'link', links: ['linkin'], wires: [] },
      { id: 'linkin', type: 'link in', links: ['linkout'], wires: [['slow']] },
      { id: 'slow', type: 'function', func: 'setTimeout(() => { node.send(msg); node.done(); }, 300); return null;', outputs: 1, wires: [[]] },
    ];
    const started = Date.now();
    const run = await sendThrough(flow, { payload: 1 });
    await waitFor(() => run.finishedAt() !== undefined, 5000, 'the message to finish');
    assert.ok((run.finishedAt() as number) - started >= 290, 'finished before the node behind the link was done');
  });

  it('a node without done (a bare helper node) has finished once its input handler returned', { timeout: 5000 }, async () => {
    const run = await sendThrough([{ id: 'source', type: 'helper', wires: [['sink']] }, { id: 'sink', type: 'helper' }], { payload: 1 });
    await waitFor(() => run.finishedAt() !== undefined, 2000, 'the message to finish');
    assert.deepEqual(run.events, ['sink received', 'finished']);
  });

  it('the same message object delivered twice (a node sending it twice) counts twice and finishes', { timeout: 5000 }, async () => {
    await helper.load(testNodeModules(), onTab([{ id: 'source', type: 'helper', wires: [['slow']] }, { id: 'slow', type: 'function', func: 'setTimeout(() => { node.done(); }, 100); return null;', outputs: 1, wires: [[]] }]));
    completion = new FlowCompletion(hooks, 'test-completion');
    let finished = 0;
    const msg = { _msgid: `twice-${Date.now()}`, payload: 1 };
    completion.track(msg._msgid, () => (finished += 1));
    helper.getNode('source').send(msg);
    helper.getNode('source').send(msg);
    completion.sent(msg._msgid);
    await waitFor(() => finished === 1, 3000, 'the message to finish');
    assert.equal(completion.size, 0);
  });

  it('a message that reaches no node is finished at once', { timeout: 5000 }, async () => {
    const run = await sendThrough([{ id: 'source', type: 'helper', wires: [[]] }], { payload: 1 });
    assert.deepEqual(run.events, ['finished']);
  });

  it('a message whose handling failed counts as finished (the error goes to Catch)', { timeout: 5000 }, async () => {
    const flow: FlowNode[] = [
      { id: 'source', type: 'helper', wires: [['bad']] },
      { id: 'bad', type: 'function', func: 'throw new Error("boom");', outputs: 1, wires: [[]] },
      { id: 'catcher', type: 'catch', scope: ['bad'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
    const run = await sendThrough(flow, { payload: 1 });
    await waitFor(() => run.finishedAt() !== undefined, 3000, 'the failed message to finish');
    await waitFor(() => run.caught.length === 1, 3000, 'the error at the Catch node');
    const caught = run.caught[0] as { error?: { message?: string; source?: { id?: string } } };
    assert.match(caught.error?.message ?? '', /boom/);
    assert.equal(caught.error?.source?.id, 'bad');
  });

  it('a message held by a node that takes done but never calls it stays unfinished', { timeout: 5000 }, async () => {
    const flow: FlowNode[] = [
      { id: 'source', type: 'helper', wires: [['holder']] },
      // The function node leaves done to code that calls node.done(); this code never gets there.
      { id: 'holder', type: 'function', func: 'if (msg.never) { node.done(); }\nreturn null;', outputs: 1, wires: [[]] },
    ];
    const run = await sendThrough(flow, { payload: 1 });
    const holder = helper.getNode('holder');
    let received = false;
    holder.on('input', () => (received = true));
    await waitFor(() => received || run.events.length > 0, 2000, 'delivery');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(run.finishedAt(), undefined);
    assert.equal(completion?.size, 1);
  });
});

describe('smarts-kafka-in configuration', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('pause/resume/ack and unknown commands on the input', { timeout: 10000 }, async () => {
    await helper.load(testNodeModules(), onTab([
      { id: 'broker', type: 'smarts-kafka-broker', brokers: '127.0.0.1:1', saslMechanism: 'none', logLevel: 'error' },
      { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: 't', wires: [[]] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]));
    const errors: Record<string, unknown>[] = [];
    helper.getNode('errors').on('input', (msg: never) => errors.push(msg));
    const consumer = helper.getNode('in');
    consumer.receive({ topic: 'pause' });
    consumer.receive({ topic: 'resume' });
    consumer.receive({ topic: 'ack', _kafka: { consumer: 'someone-else', topic: 't', partition: 0, offset: '0' } });
    consumer.receive({ topic: 'rewind' });
    await waitFor(() => errors.length === 2, 5000, 'two errors at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /belongs to another consumer node/);
    assert.match((errors[1]?.error as { message: string }).message, /unknown command msg.topic="rewind"/);
  });
});
