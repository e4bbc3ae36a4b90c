import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import type { NodeAPI } from 'node-red';
import { FlowCompletion } from '../../nodes/shared/kafka-flow-completion';
import { helper, onTab, testNodeModules, waitFor, type FlowNode } from '../integration/kafka/support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hooks } = require('@node-red/util') as { hooks: NodeAPI['hooks'] };

interface CompletionEvent {
  node: { id: string };
  msg: { _msgid?: string; origin?: string };
}

/**
 * The core nodes users wire after a consumer, in the real Node-RED runtime: a burst of messages
 * (more than a consumer's in-flight bound) goes from a source node through each flow; every
 * message must finish (none may stall the consumer), and none may finish before a node
 * downstream has called done() for it.
 */
describe('smarts-kafka-in flow completion through core nodes', () => {
  let completion: FlowCompletion | undefined;
  afterEach(async () => {
    completion?.close();
    completion = undefined;
    hooks.remove('*.core-node-probe');
    await helper.unload();
  });

  interface Run {
    ids: string[];
    finished: Set<string>;
    /** In order: `done <node> <msgid>` for every done() in the flow, `finished <msgid>` from the tracker. */
    log: string[];
  }

  async function burst(flow: FlowNode[], count: number, payload: (index: number) => unknown = (index) => index): Promise<Run> {
    await helper.load(testNodeModules(), onTab(flow));
    const log: string[] = [];
    hooks.add('onComplete.core-node-probe', (event: CompletionEvent) => {
      // Messages a node makes from a message (split parts) carry its `origin`.
      log.push(`done ${event.node.id} ${event.msg.origin ?? event.msg._msgid}`);
    });
    completion = new FlowCompletion(hooks, 'core-node-test');
    const finished = new Set<string>();
    const ids: string[] = [];
    const source = helper.getNode('source');
    for (let index = 0; index < count; index += 1) {
      const msgid = `m${index}-${Math.random().toString(36).slice(2, 8)}`;
      ids.push(msgid);
      completion.track(msgid, () => {
        finished.add(msgid);
        log.push(`finished ${msgid}`);
      });
      source.send({ _msgid: msgid, origin: msgid, topic: `t${index % 3}`, payload: payload(index) });
      completion.sent(msgid);
    }
    return { ids, finished, log };
  }

  async function allFinished(run: Run, what: string): Promise<void> {
    await waitFor(() => run.finished.size === run.ids.length, 8000, `${what}: all ${run.ids.length} messages to finish (finished ${run.finished.size})`);
    assert.equal(completion?.size, 0, 'nothing left tracked');
  }

  /** No node's done() for a message may come after the message counted as finished. */
  function noneFinishedEarly(run: Run, nodeIds: string[]): void {
    // A node may see only some messages (a switch routes the others away), but each must see some.
    for (const nodeId of nodeIds) assert.ok(run.log.some((line) => line.startsWith(`done ${nodeId} `)), `${nodeId} never called done`);
    for (const msgid of run.ids) {
      const finishedAt = run.log.indexOf(`finished ${msgid}`);
      assert.ok(finishedAt >= 0, `${msgid} never finished`);
      for (const nodeId of nodeIds) {
        const doneAt = run.log.lastIndexOf(`done ${nodeId} ${msgid}`);
        assert.ok(doneAt < finishedAt, `${msgid} finished before ${nodeId} called done (log position ${finishedAt} < ${doneAt})`);
      }
    }
  }

  /** A function node that finishes each message after `ms`, sending it on. */
  function slow(id: string, ms: number, wires: string[][] = [[]]): FlowNode {
    return { id, type: 'function', func: `setTimeout(() => { node.send(msg); node.done(); }, ${ms});\nreturn null;`, outputs: 1, wires };
  }

  function switchNode(id: string, rules: Record<string, unknown>[], wires: string[][], extra: Record<string, unknown> = {}): FlowNode {
    return { id, type: 'switch', property: 'payload', propertyType: 'msg', rules, checkall: 'false', repair: false, outputs: wires.length, wires, ...extra };
  }

  it('switch: matching rule to a wired output (the reported stall: 24 messages, bound 16)', { timeout: 15000 }, async () => {
    const run = await burst(
      [{ id: 'source', type: 'helper', wires: [['sw']] }, switchNode('sw', [{ t: 'gte', v: '0', vt: 'num' }], [['sink']]), slow('sink', 20)],
      24,
    );
    await allFinished(run, 'switch');
    noneFinishedEarly(run, ['sink']);
  });

  it('switch: messages matching no rule, or routed to an unwired output', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['sw']] },
        // even → output 1 (wired), 1 mod 4 → output 2 (not wired), the rest match nothing
        switchNode('sw', [{ t: 'jsonata_exp', v: 'payload % 2 = 0', vt: 'jsonata' }, { t: 'jsonata_exp', v: 'payload % 4 = 1', vt: 'jsonata' }], [['sink'], []]),
        slow('sink', 10),
      ],
      24,
    );
    await allFinished(run, 'switch without a match');
    noneFinishedEarly(run, ['sink']);
  });

  it('switch with checkall: one message cloned to several outputs, one branch slow', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['sw']] },
        switchNode('sw', [{ t: 'gte', v: '0', vt: 'num' }, { t: 'lt', v: '12', vt: 'num' }, { t: 'else' }], [['fast'], ['slowest'], ['fast']], { checkall: 'true' }),
        slow('fast', 1),
        slow('slowest', 60),
      ],
      24,
    );
    await allFinished(run, 'switch checkall');
    noneFinishedEarly(run, ['fast', 'slowest']);
  });

  it('a switch behind a switch, with a slow node between (messages queue inside the switch)', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['sw1', 'sw1']] },
        switchNode('sw1', [{ t: 'lt', v: '20', vt: 'num' }], [['mid']]),
        slow('mid', 5, [['sw2']]),
        switchNode('sw2', [{ t: 'lt', v: '10', vt: 'num' }], [['sink']]),
        slow('sink', 5),
      ],
      24,
    );
    await allFinished(run, 'two switches');
    noneFinishedEarly(run, ['mid', 'sink']);
  });

  it('change (set, delete) and function returning null, one message, several messages and several outputs', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['change', 'nothing', 'many']] },
        { id: 'change', type: 'change', rules: [{ t: 'set', p: 'seen', pt: 'msg', to: 'yes', tot: 'str' }, { t: 'delete', p: 'topic', pt: 'msg' }], wires: [['sink']] },
        { id: 'nothing', type: 'function', func: 'return null;', outputs: 1, wires: [['sink']] },
        { id: 'many', type: 'function', func: 'return [[msg, { payload: msg.payload * 10 }], msg.payload % 2 ? null : { payload: -1 }];', outputs: 2, wires: [['sink'], ['sink', 'sink']] },
        slow('sink', 5),
      ],
      24,
    );
    await allFinished(run, 'change/function');
    noneFinishedEarly(run, ['change', 'many', 'sink']);
  });

  it('a function that sends the very same message object twice', { timeout: 15000 }, async () => {
    const run = await burst(
      [{ id: 'source', type: 'helper', wires: [['twice']] }, { id: 'twice', type: 'function', func: 'node.send(msg);\nnode.send(msg);\nreturn null;', outputs: 1, wires: [['sink']] }, slow('sink', 5)],
      24,
    );
    await allFinished(run, 'same object twice');
    noneFinishedEarly(run, ['sink']);
  });

  it('filter (rbe) blocking repeated values, then template and debug', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['rbe']] },
        { id: 'rbe', type: 'rbe', func: 'rbe', gap: '', start: '', inout: 'out', septopics: false, property: 'payload', topi: 'topic', wires: [['template']] },
        { id: 'template', type: 'template', field: 'payload', fieldType: 'msg', format: 'handlebars', syntax: 'mustache', template: 'value {{payload}}', output: 'str', wires: [['debug']] },
        { id: 'debug', type: 'debug', active: true, tosidebar: false, console: false, complete: 'payload', wires: [] },
      ],
      24,
      (index) => Math.floor(index / 3),
    );
    await allFinished(run, 'rbe/template/debug');
    noneFinishedEarly(run, ['template', 'debug']);
  });

  it('delay as a rate limit holds messages until it releases them', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['limit']] },
        { id: 'limit', type: 'delay', pauseType: 'rate', timeout: '5', timeoutUnits: 'seconds', rate: '100', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, wires: [['sink']] },
        slow('sink', 1),
      ],
      24,
    );
    await allFinished(run, 'delay rate limit');
    noneFinishedEarly(run, ['limit', 'sink']);
  });

  it('link out / link in, and a Catch node handling the errors of a failing node', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['linkout']] },
        { id: 'linkout', type: 'link out', mode: 'link', links: ['linkin'], wires: [] },
        { id: 'linkin', type: 'link in', links: ['linkout'], wires: [['failing']] },
        { id: 'failing', type: 'function', func: 'if (msg.payload % 2) throw new Error("odd"); return msg;', outputs: 1, wires: [['sink']] },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['handler']] },
        slow('handler', 30),
        slow('sink', 5),
      ],
      24,
    );
    await allFinished(run, 'link/catch');
    noneFinishedEarly(run, ['sink', 'handler']);
  });

  it('a Complete node watching the sink: its branch is part of the flow', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['sink']] },
        slow('sink', 5),
        { id: 'complete', type: 'complete', scope: ['sink'], uncaught: false, wires: [['after']] },
        slow('after', 30),
      ],
      8,
    );
    await allFinished(run, 'complete');
    noneFinishedEarly(run, ['sink', 'after']);
  });

  it('join holds the messages of a group until it sends the combined message', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['join']] },
        { id: 'join', type: 'join', mode: 'custom', build: 'array', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '4', reduceRight: false, wires: [['sink']] },
        slow('sink', 20),
      ],
      24,
    );
    await allFinished(run, 'join');
    const sinkDones = run.log.flatMap((line, position) => (line.startsWith('done sink ') ? [position] : []));
    assert.equal(sinkDones.length, 6, 'six combined messages');
    for (let group = 0; group < 6; group += 1) {
      for (const member of run.ids.slice(group * 4, group * 4 + 4)) {
        assert.ok(run.log.indexOf(`finished ${member}`) > (sinkDones[group] as number), `${member} finished before its combined message was handled`);
      }
    }
  });

  it('a change node whose rule fails holds the message (Node-RED 4.1 neither sends it nor calls done)', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['change']] },
        { id: 'change', type: 'change', rules: [{ t: 'set', p: 'checked', pt: 'msg', to: 'payload > 1 ? payload : $error("too small")', tot: 'jsonata' }], wires: [['sink']] },
        slow('sink', 1),
      ],
      4,
    );
    await waitFor(() => run.finished.size === 2, 5000, 'the two messages the change node passed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual([...run.finished].sort(), run.ids.slice(2).sort(), 'the failed ones stay in flight (documented in the node help)');
  });

  it('split: the parts keep the message id and all finish', { timeout: 15000 }, async () => {
    const run = await burst(
      [
        { id: 'source', type: 'helper', wires: [['split']] },
        { id: 'split', type: 'split', splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', wires: [['sw']] },
        switchNode('sw', [{ t: 'gt', v: '1', vt: 'num' }], [['sink']]),
        slow('sink', 2),
      ],
      24,
      (index) => [index, index + 1, index + 2],
    );
    await allFinished(run, 'split');
    noneFinishedEarly(run, ['split', 'sink']);
  });
});
