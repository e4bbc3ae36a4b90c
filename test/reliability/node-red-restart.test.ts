import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { Reading } from '../../core/reading';
import { hourMs } from '../../core/units';
import { RestartableNodeRed } from '../support/restartable-node-red';
import { brokers, committedOffsets, createTopic, readTopic, testClient, uniqueName, waitFor } from '../integration/kafka/support';

const meters = Array.from({ length: 10 }, (_, i) => `sensor.restart_${i}`);
const perMeter = 200;
const log = (line: string) => process.env.RELIABILITY_VERBOSE && console.log(`[node-red-restart] ${line}`);

interface Scored extends Reading {
  score: number;
  late?: boolean;
}

// Readings flow Kafka → anomaly node → Kafka in a real Node-RED while it is restarted (SIGTERM)
// and, later, redeployed (a full deploy through the admin API), both mid-stream. Nothing may be
// lost (at-least-once: duplicates are counted, not failed), and the anomaly node must go on from
// what it had learned: each series' learning count after both equals its distinct readings, and
// a reading delivered again after the restart is known (late), not learnt twice.
describe('reliability: Node-RED restarted and the flow redeployed mid-stream', { timeout: 600_000 }, () => {
  const nodeRed = new RestartableNodeRed();
  const inTopic = uniqueName('rel-nr-in');
  const outTopic = uniqueName('rel-nr-scored');
  const groupId = uniqueName('rel-nr-group');
  const flows = [
    { id: 'rel_tab', type: 'tab', label: 'restart' },
    { id: 'rel_broker', type: 'smarts-kafka-broker', name: 'broker', brokers: brokers().join(',') },
    { id: 'rel_in', type: 'smarts-kafka-in', z: 'rel_tab', name: 'readings', broker: 'rel_broker', topics: inTopic, groupId, fromBeginning: true, format: 'json', maxInFlight: 16, ackMode: 'flow', deadLetterTopic: '', x: 100, y: 100, wires: [['rel_anomaly']] },
    { id: 'rel_anomaly', type: 'smarts-anomaly', z: 'rel_tab', name: 'anomaly', modelDir: '', mapping: '', learnDays: 14, retrainHours: 24, saveModels: false, x: 300, y: 100, wires: [['rel_out'], [], []] },
    { id: 'rel_out', type: 'smarts-kafka-out', z: 'rel_tab', name: 'scored', broker: 'rel_broker', topic: outTopic, key: '', format: 'json', bufferCount: 10000, bufferMegabytes: 16, x: 500, y: 100, wires: [[]] },
  ];

  before(async () => {
    await createTopic(inTopic, 4);
    await createTopic(outTopic, 4);
    await nodeRed.start(flows);
  });
  after(async () => {
    if (process.env.DUMP_LOG) console.log(nodeRed.log);
    await nodeRed.remove();
  });

  it('loses nothing, counts the duplicates, and keeps the learned state across a restart and a redeploy', async () => {
    const start = Date.UTC(2026, 0, 5);
    const readings: Reading[] = [];
    for (let i = 0; i < perMeter; i += 1) {
      for (const entity_id of meters) {
        const ts = start + i * hourMs;
        readings.push({ entity_id, ts, value: 0.3 + ((i * 7) % 10) / 20, unit: 'kWh', kind: 'energy', hour: new Date(ts).getUTCHours(), interval_s: 3600 });
      }
    }
    // a steady stream, 100 readings/s, while the test restarts and redeploys Node-RED
    const producer = testClient().producerTransport();
    await producer.connect();
    let sent = 0;
    const sending = (async () => {
      for (; sent < readings.length; sent += 10) {
        await producer.send(readings.slice(sent, sent + 10).map((reading) => ({ topic: inTopic, key: reading.entity_id, value: Buffer.from(JSON.stringify(reading)) })));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const committedTotal = async () => [...(await committedOffsets(groupId, inTopic)).values()].reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0);

    await waitFor(async () => (await committedTotal()) >= 300, 120_000, '300 readings through the flow before the restart');
    const atRestart = sent;
    log(`restart (SIGTERM) at ${atRestart} sent`);
    await nodeRed.stop('SIGTERM');
    await nodeRed.start();
    await waitFor(async () => (await committedTotal()) >= Math.min(readings.length - 200, atRestart + 500), 120_000, 'readings through the flow after the restart');
    const atRedeploy = sent;
    log(`redeploy at ${atRedeploy} sent`);
    await nodeRed.deploy(flows);
    await sending;
    await producer.disconnect();
    assert.ok(atRestart < readings.length && atRedeploy < readings.length, `both came mid-stream (restart at ${atRestart}, redeploy at ${atRedeploy} of ${readings.length})`);

    let committed = 0;
    await waitFor(async () => (committed = await committedTotal()) >= readings.length, 180_000, 'every input offset committed').catch((error: Error) => {
      throw new Error(`${error.message}: ${committed} of ${readings.length}\n${nodeRed.log.slice(-3000)}`);
    });

    const admin = new Kafka({ brokers: brokers(), clientId: 'rel-nr-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(outTopic).finally(() => admin.disconnect());
    const written = ends.reduce((sum, partition) => sum + Number(partition.high), 0);
    const scored = (await readTopic(outTopic, written, 120_000)).map((record) => JSON.parse(record.value.toString('utf8')) as Scored);
    const keyOf = (reading: Pick<Reading, 'entity_id' | 'ts'>) => `${reading.entity_id}@${reading.ts}`;
    const seen = new Map<string, Scored[]>();
    for (const reading of scored) seen.set(keyOf(reading), [...(seen.get(keyOf(reading)) ?? []), reading]);
    const lost = readings.filter((reading) => !seen.has(keyOf(reading))).length;
    const duplicated = scored.length - seen.size;
    const repeatsNotLate = [...seen.values()].flatMap((copies) => copies.slice(1)).filter((copy) => copy.late !== true).length;

    const learning: Record<string, number | null> = {};
    for (const meter of meters) {
      const described = (await (await fetch(`${nodeRed.url}/smarts-anomaly/rel_anomaly/series/${encodeURIComponent(meter)}`)).json()) as { learning: { have: number } | null };
      learning[meter] = described.learning?.have ?? null;
    }
    console.log(
      `node-red restart: sent ${readings.length}, scored ${scored.length} (${seen.size} distinct), lost ${lost}, duplicated ${duplicated} (${repeatsNotLate} of them not known as late), ` +
        `restart at ${atRestart}, redeploy at ${atRedeploy}, learning counts ${JSON.stringify(Object.values(learning))} (of ${perMeter} each)`,
    );
    assert.equal(lost, 0, 'no reading lost');
    assert.equal(repeatsNotLate, 0, 'a reading delivered again after the restart is known to the node (late), so its state was kept');
    for (const meter of meters) assert.equal(learning[meter], perMeter, `${meter} learnt each of its ${perMeter} readings once, across the restart and the redeploy`);
  });
});
