import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import type { Reading } from '../../../core/reading';
import { brokers, committedOffsets, createTopic, readTopic, uniqueName, waitFor } from './support';

/**
 * The nodes in a real `node-red` process (not the test helper): an inject sends a seed record
 * through smarts-kafka-out; smarts-kafka-in reads it back into a debug node; the consumer's
 * offset is committed once the debug node has finished — RED.hooks as the real runtime gives them.
 */
describe('Kafka nodes in a real Node-RED process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smarts-node-red-'));
  let child: ChildProcess | undefined;
  let log = '';
  after(() => {
    child?.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces, consumes and commits after the flow finished', { timeout: 120000 }, async () => {
    const topic = uniqueName('it-node-red');
    const groupId = uniqueName('group');
    await createTopic(topic, 1);
    const port = 18880 + Math.floor(Math.random() * 100);
    writeFileSync(
      join(dir, 'settings.js'),
      `module.exports = ${JSON.stringify({ uiPort: port, uiHost: '127.0.0.1', nodesDir: [join(__dirname, '..', '..', '..', 'nodes')], flowFile: 'flows.json', credentialSecret: false, logging: { console: { level: 'info' } } })};\n`,
    );
    const flow = [
      { id: 'tab', type: 'tab', label: 'e2e' },
      { id: 'b', type: 'smarts-kafka-broker', brokers: brokers().join(','), saslMechanism: 'none', logLevel: 'warn' },
      { id: 'inj', type: 'inject', z: 'tab', x: 100, y: 100, once: true, onceDelay: '0.5', repeat: '', payload: '{"hour":4,"kwh":1500}', payloadType: 'json', wires: [['out']] },
      { id: 'out', type: 'smarts-kafka-out', z: 'tab', x: 300, y: 100, broker: 'b', topic, format: 'avro', bufferCount: 100, bufferMegabytes: 1, wires: [['sent']] },
      { id: 'sent', type: 'debug', z: 'tab', x: 500, y: 100, active: true, tosidebar: false, console: true, complete: 'kafka', wires: [] },
      { id: 'in', type: 'smarts-kafka-in', z: 'tab', x: 100, y: 200, broker: 'b', topics: topic, groupId, fromBeginning: true, format: 'auto', maxInFlight: 4, ackMode: 'flow', wires: [['got']] },
      { id: 'got', type: 'debug', z: 'tab', x: 300, y: 200, active: true, tosidebar: false, console: true, complete: 'payload', wires: [] },
    ];
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow));
    const root = join(require.resolve('node-red/package.json'), '..');
    child = spawn(process.execPath, [join(root, 'red.js'), '-u', dir, '-s', join(dir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));

    const [record] = await readTopic(topic, 1, 60000);
    assert.ok(record, `nothing produced; Node-RED log:\n${log}`);
    const reading = (await new ValueCodec().decode(record.value)).value as Reading;
    assert.deepEqual([reading.entity_id, reading.hour, reading.value], ['seed.power', 4, 1500]);
    let committed: string | undefined;
    await waitFor(() => log.includes('[debug:got]'), 30000, 'the consumed message at the debug node');
    for (let attempt = 0; attempt < 40 && committed !== '1'; attempt += 1) {
      committed = (await committedOffsets(groupId, topic)).get(0);
      if (committed !== '1') await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(committed, '1', `offset not committed; Node-RED log:\n${log}`);
    assert.doesNotMatch(log, /\[error\] \[smarts-kafka-(in|out)/);
  });
});
