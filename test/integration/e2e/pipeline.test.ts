import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { scoreSensorId, tagFor } from '../../../core/ha/notify/alert-plan';
import { createHousehold, simulateHours, startOfHour } from '../../../core/sim';
import type { Reading } from '../../../core/reading';
import { stackInfo, stackRegistry } from '../../support/stack';
import { seedFile } from '../../support/test-data';
import { e2eFlow } from './support/e2e-flow';
import { eventually, HaSocket, runId } from './support/ha-socket';
import { NodeRedProcess } from './support/node-red';
import { hourMs } from '../../../core/units';

const distRoot = join(__dirname, '..', '..', '..');

type Scored = Reading & { score: number; anomaly: boolean; expected: number };
type HaEvent = { event_type: string; data: Record<string, unknown> };

function runCli(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(distRoot, 'core', 'cli', 'main.js'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

// The demo flow in a real Node-RED process against the stack's real Home Assistant, Kafka and
// registry: HA meter → raw topic (Avro) → consumer group → anomaly model → scored topic, and for
// anomalies the notify service, a persistent notification, the HA event, the score sensor and
// a JSON record on the anomaly topic.
describe('end to end: the demo flow in Node-RED between Home Assistant and Kafka', { timeout: 420_000 }, () => {
  const run = runId();
  const meter = `sensor.e2e_${run}_hourly_energy`;
  const topics = { raw: `e2e-raw-${run}`, scored: `e2e-scored-${run}`, anomalies: `e2e-anomaly-${run}` };
  const info = stackInfo();
  const registry = stackRegistry(info);
  // Without a registry (only when opted out) the seed day goes through as JSON.
  const registryArgs = 'url' in registry ? ['--registry', registry.url] : [];
  const kafka = new Kafka({ brokers: info.kafka.brokers, clientId: 'e2e-test', logLevel: logLevel.NOTHING });
  const consumers: Consumer[] = [];
  const scored: Scored[] = [];
  const anomalies: Array<Record<string, unknown>> = [];
  const events: HaEvent[] = [];
  const notifyCalls: HaEvent[] = [];
  let nodeRed: NodeRedProcess | undefined;
  let ha: HaSocket;
  const home = createHousehold({ seed: 3 });
  const hourStart = startOfHour(Date.now());

  /** Waits like `eventually`, and on failure shows what Node-RED logged. */
  const waitFor = <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs?: number) =>
    eventually(what, check, timeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}\n--- Node-RED log (tail) ---\n${nodeRed?.log.slice(-4000) ?? ''}`);
    });
  const setMeter = (kwh: number) =>
    fetch(`${info.ha.url}/api/states/${meter}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.ha.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: kwh.toFixed(3), attributes: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'measurement', friendly_name: 'E2E hourly energy' } }),
    });
  const notifications = () => ha.command<Array<{ notification_id: string; message: string }>>({ type: 'persistent_notification/get' });
  const sensorState = async (entityId: string) => {
    const response = await fetch(`${info.ha.url}/api/states/${entityId}`, { headers: { authorization: `Bearer ${info.ha.token}` } });
    return response.ok ? ((await response.json()) as { state: string; attributes: Record<string, unknown> }) : undefined;
  };

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    for (const [topic, sink] of [[topics.scored, scored], [topics.anomalies, anomalies]] as const) {
      const consumer = kafka.consumer({ groupId: `e2e-check-${topic}` });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void (sink as unknown[]).push(JSON.parse(String(message.value))) });
    }
    ha = await HaSocket.open(info.ha.url, info.ha.token);
    await ha.subscribeEvents('stream_smarts_anomaly', (event) => events.push(event));
    await ha.subscribeEvents('call_service', (event) => {
      if (event.data.domain === 'notify') notifyCalls.push(event);
    });

    nodeRed = await NodeRedProcess.start(e2eFlow({ run, meterEntity: meter, rawTopic: topics.raw, scoredTopic: topics.scored, anomalyTopic: topics.anomalies }), {}, info);
    // Four weeks of the simulated home's hourly consumption up to this hour: the meter's history.
    const history: Reading[] = simulateHours(home, hourStart - 28 * 24 * hourMs, 28 * 24).map((hour) => ({
      entity_id: meter,
      ts: hour.start,
      value: hour.kwh,
      unit: 'kWh',
      kind: 'energy',
      hour: hour.hour,
      interval_s: 3600,
    }));
    const response = await fetch(`${nodeRed.url}/e2e-${run}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(history), signal: AbortSignal.timeout(240_000) });
    assert.equal(response.status, 200, `training failed: ${await response.text()}\n${nodeRed.log}`);
  });

  after(async () => {
    await nodeRed?.stop();
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    if (ha) {
      for (const id of [tagFor(meter), tagFor('seed.power')]) await ha.callService('persistent_notification', 'dismiss', { notification_id: id }).catch(() => undefined);
      ha.close();
    }
    for (const entity of [meter, scoreSensorId(meter)]) {
      await fetch(`${info.ha.url}/api/states/${entity}`, { method: 'DELETE', headers: { authorization: `Bearer ${info.ha.token}` } }).catch(() => undefined);
    }
  });

  it('a normal hour is scored and raises nothing', async () => {
    const sameHours = simulateHours(home, hourStart - 28 * 24 * hourMs, 28 * 24).filter((hour) => hour.hour === new Date(hourStart).getHours());
    const usual = sameHours.map((hour) => hour.kwh).sort((a, b) => a - b)[Math.floor(sameHours.length / 2)]!;
    await setMeter(usual);
    const reading = await waitFor('the normal hour on the scored topic', () => scored.find((r) => r.entity_id === meter && Math.abs(r.value - usual) < 0.001), 30_000);
    assert.ok(reading.score <= 1, `a usual ${usual.toFixed(3)} kWh scored ${reading.score}`);
    assert.equal(reading.anomaly, false);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(anomalies.filter((a) => a.entity_id === meter).length, 0);
    assert.equal(events.filter((e) => e.data.entity_id === meter).length, 0);
    assert.equal(notifyCalls.filter((e) => JSON.stringify(e.data).includes(tagFor(meter))).length, 0);
    assert.ok(!(await notifications()).some((n) => n.notification_id === tagFor(meter)));
  });

  it('an anomalous hour reaches the notify service, a persistent notification, the event, the score sensor and anomaly_power', async () => {
    const heavy = 6.5;
    await setMeter(heavy);
    const record = await waitFor('the anomaly record', () => anomalies.find((a) => a.entity_id === meter && a.value === heavy), 30_000);
    for (const field of ['entity_id', 'ts', 'hour', 'value', 'unit', 'score', 'expected']) assert.ok(field in record, `${field} missing`);
    assert.ok(Number(record.score) > 1);
    assert.equal(record.unit, 'kWh');
    const event = await waitFor('the stream_smarts_anomaly event', () => events.find((e) => e.data.entity_id === meter));
    assert.equal(event.data.value, heavy);
    assert.ok(Number(event.data.score) > 1);
    const call = await waitFor('the notify service call', () => notifyCalls.find((e) => JSON.stringify(e.data).includes(tagFor(meter))));
    assert.equal(`${call.data.domain}.${call.data.service}`, 'notify.stack_file');
    assert.match(String((call.data.service_data as { message?: string }).message), /6\.5 kWh/);
    const notification = await waitFor('the persistent notification', async () => (await notifications()).find((n) => n.notification_id === tagFor(meter)));
    assert.match(notification.message, /6\.5 kWh/);
    const sensor = await waitFor('the score sensor above 1', async () => {
      const state = await sensorState(scoreSensorId(meter));
      return state && Number(state.state) > 1 ? state : undefined;
    });
    assert.equal(sensor.attributes.value, heavy);
  });

  it("the seed's day through `stream-smarts load` raises no alert; its demo record {hour: 4, kwh: 1500} does", async () => {
    const seedDay = readFileSync(seedFile('mwh_20180805.json'), 'utf8');
    const load = ['load', '--brokers', info.kafka.brokers.join(','), '--topic', topics.raw, ...registryArgs];
    const day = await runCli(load, seedDay);
    assert.equal(day.code, 0, day.stderr);
    assert.match(day.stdout, /sent 24, rejected 0/);
    const seedScores = await waitFor('the seed day on the scored topic', () => {
      const seen = scored.filter((r) => r.entity_id === 'seed.power');
      return seen.length >= 24 ? seen : undefined;
    }, 60_000);
    assert.ok(seedScores.every((r) => r.score <= 1), `seed scores ${seedScores.map((r) => r.score.toFixed(3)).join(' ')}`);
    assert.ok(Math.abs(Math.max(...seedScores.map((r) => r.score)) - 0.757) < 0.001);
    assert.equal(anomalies.filter((a) => a.entity_id === 'seed.power').length, 0);

    const demo = await runCli(load, '{"hour": 4, "kwh": 1500}\n');
    assert.equal(demo.code, 0, demo.stderr);
    const alert = await waitFor('the seed demo anomaly', () => anomalies.find((a) => a.entity_id === 'seed.power'), 30_000);
    assert.equal(alert.hour, 4);
    assert.equal(alert.value, 1500);
    assert.ok(Math.abs(Number(alert.score) - 5.46) < 0.01, `score ${alert.score}`);
    await waitFor('the seed event', () => events.find((e) => e.data.entity_id === 'seed.power' && e.data.value === 1500));
    await waitFor('the seed notification', async () => (await notifications()).find((n) => n.notification_id === tagFor('seed.power')));
  });
});
