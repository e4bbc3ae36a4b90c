// End-to-end latency of the demo flow in a real Node-RED process: from a Home Assistant state
// change of the meter to Home Assistant's notify service being called (p50, p99 at 10 readings/s),
// and the memory of that Node-RED process with the plugin and a trained model loaded.
import { Kafka, logLevel } from 'kafkajs';
import type { Reading } from '../../core/reading';
import { createHousehold, simulateHours, startOfHour } from '../../core/sim';
import { hourMs } from '../../core/units';
import { stackInfo } from '../support/stack';
import { e2eFlow } from '../integration/e2e/support/e2e-flow';
import { HaSocket, runId } from '../integration/e2e/support/ha-socket';
import { NodeRedProcess } from '../integration/e2e/support/node-red';

const readings = Number(process.env.BENCH_READINGS ?? 150);
const rate = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const info = stackInfo();
  const run = runId();
  const meter = `sensor.bench_${run}_hourly_energy`;
  const topics = { raw: `bench-raw-${run}`, scored: `bench-scored-${run}`, anomalies: `bench-anomaly-${run}` };
  const kafka = new Kafka({ brokers: info.kafka.brokers, clientId: 'bench-latency', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
  const ha = await HaSocket.open(info.ha.url, info.ha.token);
  const nodeRed = await NodeRedProcess.start(e2eFlow({ run, meterEntity: meter, rawTopic: topics.raw, scoredTopic: topics.scored, anomalyTopic: topics.anomalies }), {}, info);
  try {
    console.log(`Node-RED resident memory after start (plugin loaded, flow deployed): ${(nodeRed.residentBytes() / 2 ** 20).toFixed(0)} MiB`);
    const hourStart = startOfHour(Date.now());
    const history: Reading[] = simulateHours(createHousehold({ seed: 5 }), hourStart - 28 * 24 * hourMs, 28 * 24).map((hour) => ({
      entity_id: meter, ts: hour.start, value: hour.kwh, unit: 'kWh', kind: 'energy', hour: hour.hour, interval_s: 3600,
    }));
    const trainStart = performance.now();
    const trained = await fetch(`${nodeRed.url}/e2e-${run}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(history), signal: AbortSignal.timeout(300_000) });
    if (!trained.ok) throw new Error(`training failed: ${await trained.text()}`);
    console.log(`training on 28 days of hourly history inside Node-RED: ${((performance.now() - trainStart) / 1000).toFixed(1)} s`);

    const sentAt = new Map<number, number>();
    // HA's times carry microseconds; the meter's reading ts and Date.parse may round differently.
    const sentFor = (ts: number) => sentAt.get(ts) ?? sentAt.get(ts - 1) ?? sentAt.get(ts + 1);
    // Arrival times by reading ts, joined with the send times at the end (an event can arrive
    // before the POST that caused it has returned its state).
    const pushes: Array<{ ts: number; at: number }> = [];
    const anomalyEvents: Array<{ ts: number; at: number }> = [];
    await ha.subscribeEvents('stream_smarts_anomaly', (event) => {
      if (event.data.entity_id === meter) anomalyEvents.push({ ts: Number(event.data.ts), at: performance.now() });
    });
    await ha.subscribeEvents('call_service', (event) => {
      if (event.data.domain !== 'notify') return;
      const at = performance.now();
      const actions = ((event.data.service_data as { data?: { actions?: Array<{ action: string }> } }).data?.actions ?? []);
      const [, , entity, ts] = actions[0]?.action.split('|') ?? [];
      if (entity === meter) pushes.push({ ts: Number(ts), at });
    });
    const began = performance.now();
    for (let i = 0; i < readings; i += 1) {
      const due = began + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const t0 = performance.now();
      // Rising values: each reading is an anomaly with a higher score, which breaks the cooldown.
      void fetch(`${info.ha.url}/api/states/${meter}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.ha.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: (6 + i * 0.05).toFixed(3), attributes: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'measurement' } }),
      })
        .then((response) => response.json() as Promise<{ last_changed: string }>)
        .then((state) => sentAt.set(Date.parse(state.last_changed), t0));
    }
    const deadline = performance.now() + 60_000;
    while (anomalyEvents.length < readings && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const joined = (arrivals: Array<{ ts: number; at: number }>) =>
      arrivals.flatMap(({ ts, at }) => {
        const sent = sentFor(ts);
        return sent === undefined ? [] : [at - sent];
      });
    const latencies = joined(pushes);
    const eventLatencies = joined(anomalyEvents);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`HA state change → notify service call at ${rate} readings/s: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (${latencies.length} of ${readings} readings pushed)`);
    const events = [...eventLatencies].sort((a, b) => a - b);
    console.log(`HA state change → stream_smarts_anomaly event at ${rate} readings/s: p50 ${percentile(events, 50).toFixed(0)} ms, p99 ${percentile(events, 99).toFixed(0)} ms (${eventLatencies.length} of ${readings} readings)`);
    const consumer = kafka.consumer({ groupId: `bench-check-${run}` });
    const scored: Array<{ score: number; anomaly: boolean }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.scored, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void scored.push(JSON.parse(String(message.value))) });
    const settle = performance.now() + 10_000;
    while (scored.length < readings && performance.now() < settle) await new Promise((resolve) => setTimeout(resolve, 200));
    await consumer.disconnect();
    console.log(`readings scored: ${scored.length} of ${readings}, anomalous: ${scored.filter((r) => r.anomaly).length}; alerts that reached Home Assistant: ${anomalyEvents.length}`);
    const notifyWarnings = nodeRed.log.split('\n').filter((line) => /smarts-ha-notify/.test(line) && /warn|error/.test(line));
    if (notifyWarnings.length > 0) console.log(`notify node warnings: ${notifyWarnings.length}, e.g. ${notifyWarnings[0]?.replace(/^.*?\] /, '')}`);
    console.log(`Node-RED resident memory with a trained model after ${readings} readings: ${(nodeRed.residentBytes() / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await nodeRed.stop();
    ha.close();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    await fetch(`${info.ha.url}/api/states/${meter}`, { method: 'DELETE', headers: { authorization: `Bearer ${info.ha.token}` } }).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`pipeline-latency bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
