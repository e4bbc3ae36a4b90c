import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { hourMs } from '../../../core/units';
import { eventually } from './support/ha-socket';
import { alive, NpmStart } from './support/npm-start';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface ScoredRecord {
  entity_id: string;
  friendly_name?: string;
  ts: number;
  interval_s?: number;
  score: number;
}

// `npm start` from a clean state: its own stack directory (so it starts — and must stop — its
// own Kafka and Home Assistant on free ports), Node-RED, the simulated home. Heavy: minutes.
describe('npm start', { timeout: 900_000 }, () => {
  let demo: NpmStart | undefined;
  after(async () => {
    await demo?.cleanUp();
  });

  it('reaches a running demo whose hours travel Home Assistant → meter node → Kafka → anomaly, and Ctrl-C leaves nothing running', async () => {
    demo = await NpmStart.spawn(['--speed', '1', '--anomaly-every', '8', '--history-days', '15']);
    await demo.waitOutput('the demo to run', /Stream Smarts is running/, 600_000);
    const info = demo.info();
    assert.ok(demo.pids.length >= 3, 'the stack and Node-RED it started have pid files');
    assert.match(demo.output, new RegExp(`Node-RED editor +http://127\\.0\\.0\\.1:${demo.port}/`));
    assert.equal((await fetch(`http://127.0.0.1:${demo.port}/`)).status, 200);
    const haApi = await fetch(`${info.ha.url}/api/`, { headers: { authorization: `Bearer ${info.ha.token}` } });
    assert.equal(haApi.status, 200);

    // The demo runs: the simulated home's hours, cut by the flow's meter node from what Home
    // Assistant's sensor.home_energy reported (so they carry its friendly name), are scored and
    // land on scored_power, one per simulated hour.
    const kafka = new Kafka({ brokers: info.kafka.brokers, clientId: 'npm-start-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'npm-start-test' });
    const scored: ScoredRecord[] = [];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'scored_power' }] });
    await admin.disconnect();
    await consumer.connect();
    await consumer.subscribe({ topic: 'scored_power', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void scored.push(JSON.parse(String(message.value)) as ScoredRecord) });
    const hours = await eventually('simulated hours on scored_power', () => {
      const ours = scored.filter((record) => record.entity_id === 'sensor.home_energy');
      return ours.length >= 5 ? ours : undefined;
    }, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)} (${scored.length} records: ${JSON.stringify(scored.slice(0, 3))})\n--- npm start output ---\n${demo?.output.slice(-3000)}`);
    });
    for (const record of hours) {
      assert.equal(record.friendly_name, 'Home energy');
      assert.equal(record.interval_s, 3600);
    }
    const steps = hours.slice(1).map((record, index) => (record.ts - hours[index]!.ts) / hourMs);
    assert.deepEqual(steps, steps.map(() => 1), 'one reading per simulated hour, none missing or repeated');
    await demo.waitOutput('an injected anomaly', /injected: /, 60_000);
    const meter = await fetch(`${info.ha.url}/api/states/sensor.home_energy`, { headers: { authorization: `Bearer ${info.ha.token}` } });
    assert.equal(meter.status, 200, 'the meter is in Home Assistant');
    await consumer.disconnect();

    const listening = [demo.port, Number(new URL(info.ha.url).port), ...info.kafka.brokers.map((broker) => Number(broker.split(':')[1]))];
    const code = await demo.interrupt();
    assert.equal(code, 0, `npm start did not stop cleanly:\n${demo.output.slice(-3000)}`);
    assert.match(demo.output, /\[start\] stopped/);
    for (const pid of demo.pids) assert.equal(alive(pid), false, `process ${pid} is still running`);
    for (const open of listening) assert.equal(await portOpen(open), false, `port ${open} is still open`);
  });
});
