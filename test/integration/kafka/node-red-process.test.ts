import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import type { Reading } from '../../../core/reading';
import { brokers, committedOffsets, committedReaches, createTopic, readTopic, testClient, uniqueName, waitFor } from './support';

/** A real `node-red` process (not the test helper) running `flow` from a temporary user dir. */
class NodeRedProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'smarts-node-red-'));
  private child: ChildProcess | undefined;
  log = '';

  start(flow: Record<string, unknown>[]): void {
    const port = 18880 + Math.floor(Math.random() * 100);
    writeFileSync(
      join(this.dir, 'settings.js'),
      `module.exports = ${JSON.stringify({ uiPort: port, uiHost: '127.0.0.1', nodesDir: [join(__dirname, '..', '..', '..', 'nodes')], flowFile: 'flows.json', credentialSecret: false, logging: { console: { level: 'info' } } })};\n`,
    );
    writeFileSync(join(this.dir, 'flows.json'), JSON.stringify(flow));
    const root = join(require.resolve('node-red/package.json'), '..');
    this.child = spawn(process.execPath, [join(root, 'red.js'), '-u', this.dir, '-s', join(this.dir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
  }

  stop(): void {
    this.child?.kill('SIGINT');
    this.child = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The nodes in a real `node-red` process: RED.hooks, message delivery and the core nodes exactly
 * as the runtime gives them to users.
 */
describe('Kafka nodes in a real Node-RED process', () => {
  let nodeRed: NodeRedProcess | undefined;
  afterEach(() => {
    nodeRed?.stop();
    nodeRed = undefined;
  });

  it('produces, consumes and commits after the flow finished', { timeout: 120000 }, async () => {
    const topic = uniqueName('it-node-red');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    nodeRed = new NodeRedProcess();
    nodeRed.start([
      { id: 'tab', type: 'tab', label: 'e2e' },
      { id: 'b', type: 'smarts-kafka-broker', brokers: brokers().join(','), saslMechanism: 'none', logLevel: 'warn' },
      { id: 'inj', type: 'inject', z: 'tab', x: 100, y: 100, once: true, onceDelay: '0.5', repeat: '', payload: '{"hour":4,"kwh":1500}', payloadType: 'json', wires: [['out']] },
      { id: 'out', type: 'smarts-kafka-out', z: 'tab', x: 300, y: 100, broker: 'b', topic, format: 'avro', bufferCount: 100, bufferMegabytes: 1, wires: [['sent']] },
      { id: 'sent', type: 'debug', z: 'tab', x: 500, y: 100, active: true, tosidebar: false, console: true, complete: 'kafka', wires: [] },
      { id: 'in', type: 'smarts-kafka-in', z: 'tab', x: 100, y: 200, broker: 'b', topics: topic, groupId, fromBeginning: true, format: 'auto', maxInFlight: 4, ackMode: 'flow', wires: [['got']] },
      { id: 'got', type: 'debug', z: 'tab', x: 300, y: 200, active: true, tosidebar: false, console: true, complete: 'payload', wires: [] },
    ]);
    const run = nodeRed;

    const [record] = await readTopic(topic, 1, 60000);
    assert.ok(record, `nothing produced; Node-RED log:\n${run.log}`);
    const reading = (await new ValueCodec().decode(record.value)).value as Reading;
    assert.deepEqual([reading.entity_id, reading.hour, reading.value], ['seed.power', 4, 1500]);
    let committed: string | undefined;
    await waitFor(() => run.log.includes('[debug:got]'), 30000, 'the consumed message at the debug node');
    for (let attempt = 0; attempt < 40 && committed !== '1'; attempt += 1) {
      committed = (await committedOffsets(groupId, topic)).get(0);
      if (committed !== '1') await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(committed, '1', `offset not committed; Node-RED log:\n${run.log}`);
    assert.doesNotMatch(run.log, /\[error\] \[smarts-kafka-(in|out)/);
  });

  it('switch nodes after the consumer (the reported stall): 24 messages through a bound of 4, all committed', { timeout: 120000 }, async () => {
    const topic = uniqueName('it-node-red-switch');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    const producer = testClient().producerTransport();
    await producer.connect();
    await producer.send(Array.from({ length: 24 }, (_, n) => ({ topic, key: `k${n}`, value: Buffer.from(JSON.stringify({ n })) })));
    await producer.disconnect();
    nodeRed = new NodeRedProcess();
    nodeRed.start([
      { id: 'tab', type: 'tab', label: 'e2e' },
      { id: 'b', type: 'smarts-kafka-broker', brokers: brokers().join(','), saslMechanism: 'none', logLevel: 'warn' },
      { id: 'in', type: 'smarts-kafka-in', z: 'tab', x: 100, y: 100, broker: 'b', topics: topic, groupId, fromBeginning: true, format: 'json', maxInFlight: 4, ackMode: 'flow', wires: [['route', 'all']] },
      // even → debug, odd multiples of 3... → unwired output, the rest match no rule
      { id: 'route', type: 'switch', z: 'tab', x: 300, y: 100, property: 'payload.n % 2', propertyType: 'jsonata', rules: [{ t: 'eq', v: '0', vt: 'num' }, { t: 'eq', v: '1', vt: 'num' }], checkall: 'true', repair: false, outputs: 2, wires: [['even'], []] },
      { id: 'all', type: 'switch', z: 'tab', x: 300, y: 200, property: 'payload.n', propertyType: 'msg', rules: [{ t: 'lt', v: '12', vt: 'num' }, { t: 'gte', v: '0', vt: 'num' }], checkall: 'true', repair: false, outputs: 2, wires: [['mark'], ['last']] },
      { id: 'mark', type: 'change', z: 'tab', x: 500, y: 200, rules: [{ t: 'set', p: 'marked', pt: 'msg', to: 'yes', tot: 'str' }], wires: [['last']] },
      { id: 'even', type: 'debug', z: 'tab', x: 500, y: 100, active: true, tosidebar: false, console: true, complete: 'payload.n', wires: [] },
      { id: 'last', type: 'debug', z: 'tab', x: 700, y: 200, active: true, tosidebar: false, console: true, complete: 'payload.n', wires: [] },
    ]);
    const run = nodeRed;
    const committed = await committedReaches(groupId, topic, '24', 90000);
    assert.equal(committed, '24', `not every offset committed; Node-RED log:\n${run.log}`);
    const seen = (node: string): number => run.log.split('\n').filter((line) => line.includes(`[debug:${node}]`)).length;
    assert.equal(seen('even'), 12, `even messages at the debug node; log:\n${run.log}`);
    assert.equal(seen('last'), 36, `checkall: 12 messages on both outputs and 12 on one; log:\n${run.log}`);
    assert.doesNotMatch(run.log, /\[error\]/);
  });
});
