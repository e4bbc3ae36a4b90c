import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '../../core/reading';
import { hourMs } from '../../core/units';
import { createModelScorer } from '../../core/worker/model-scorer';
import type { ReadingScorer } from '../../core/worker/scorer';
import { startWorker, type RunningWorker } from '../../core/worker/worker';
import { projectRoot } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { committedOffsets, createTopic, PrivateKafka, readTopicUntilQuiet, testClient, uniqueName, waitFor } from '../integration/kafka/support';

const meters = Array.from({ length: 20 }, (_, i) => `sensor.partition_${i}`);
const perMeter = 150;
const stallMs = 45_000;
const log = (line: string) => process.env.RELIABILITY_VERBOSE && console.log(`[worker] ${line}`);

/**
 * The model scorer at a steady pace (10 ms a reading, so 1.5 s a meter at least): the worker
 * left alone scores all 3,000 readings in well under a second, before any stall could begin.
 */
function paced(scorer: ReadingScorer): ReadingScorer {
  return {
    score: async (reading) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return scorer.score(reading);
    },
    close: () => scorer.close?.() ?? Promise.resolve(),
    snapshot: (entityId) => scorer.snapshot?.(entityId) ?? null,
    restore: (state) => scorer.restore?.(state),
  };
}

// A network partition that stalls rather than closes: the proxy in front of a broker of the
// test's own (which advertises the proxy, so every connection goes through it) keeps the worker's
// connections open and forwards nothing. Only kafkajs's request timeouts notice. After it heals,
// every reading must come out, none lost, each meter in order.
describe('reliability: a stalled network between the worker and the broker', { timeout: 600_000 }, () => {
  const base = 19200 + Math.floor(Math.random() * 600);
  const kafkaPort = base;
  let proxy: TcpProxy;
  let kafka: PrivateKafka;

  before(async () => {
    proxy = new TcpProxy('127.0.0.1', kafkaPort);
    const advertised = await proxy.start();
    kafka = new PrivateKafka(kafkaPort, base + 1000, base + 2000, advertised);
    await kafka.start();
  });
  after(async () => {
    await kafka?.remove();
    await proxy?.stop();
  });

  it('loses nothing and keeps each meter in order across a 45 s stall mid-stream (longer than the request timeout)', { timeout: 480_000 }, async () => {
    const inTopic = uniqueName('rel-partition-in');
    const outTopic = uniqueName('rel-partition-scored');
    await createTopic(inTopic, 4, kafka.brokers);
    await createTopic(outTopic, 4, kafka.brokers);
    const start = Date.UTC(2026, 0, 1);
    const readings: Reading[] = [];
    for (let i = 0; i < perMeter; i += 1) {
      for (const entity_id of meters) {
        const ts = start + i * hourMs;
        readings.push({ entity_id, ts, value: 200 + ((i * 37) % 400), unit: 'Wh', kind: 'energy', hour: new Date(ts).getUTCHours(), interval_s: 3600 });
      }
    }
    const producer = testClient(kafka.brokers).producerTransport();
    await producer.connect();
    for (let i = 0; i < readings.length; i += 500) {
      await producer.send(readings.slice(i, i + 500).map((reading) => ({ topic: inTopic, key: reading.entity_id, value: Buffer.from(JSON.stringify(reading)) })));
    }
    await producer.disconnect();

    const lines: string[] = [];
    const groupId = uniqueName('rel-partition');
    let worker: RunningWorker | undefined;
    try {
      worker = await startWorker(
        { broker: { brokers: kafka.brokers }, inTopic, outTopic, groupId, fromBeginning: true, maxInFlight: 64 },
        { scorer: paced(createModelScorer({ modelDir: join(projectRoot(), 'models') })), log: (line) => { lines.push(line); log(line); } },
      );
      const running = worker;
      await waitFor(() => running.stats.scored >= 300, 60_000, 'the worker scoring before the stall');
      proxy.freeze();
      const atFreeze = running.stats.scored;
      await new Promise((resolve) => setTimeout(resolve, stallMs));
      const duringStall = running.stats.scored - atFreeze;
      proxy.heal();
      assert.ok(atFreeze + duringStall < readings.length, `the stall came mid-stream (${atFreeze} + ${duringStall} of ${readings.length} scored)`);
      // Done means the group committed every input offset: a count of scored readings would
      // also count those scored twice after a rebalance.
      const committedTotal = async () =>
        [...(await committedOffsets(groupId, inTopic, kafka.brokers)).values()].reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0);
      let committed = 0;
      let checkedAt = 0;
      const allCommitted = async () => {
        if (Date.now() - checkedAt < 2000) return false;
        checkedAt = Date.now();
        committed = await committedTotal();
        return committed >= readings.length;
      };
      await waitFor(allCommitted, 300_000, 'every input offset committed after the stall').catch((error: Error) => {
        throw new Error(`${error.message}: ${committed} of ${readings.length} committed, ${running.stats.scored} scored\n--- worker log ---\n${lines.slice(-40).join('\n')}`);
      });
      assert.equal(running.stats.rejected, 0, 'nothing rejected');
    } finally {
      await worker?.stop().catch((error: Error) => lines.push(`stop failed: ${error.message}`));
    }
    assert.ok(!lines.some((line) => line.startsWith('stop failed')), `the worker stopped cleanly:\n${lines.slice(-10).join('\n')}`);

    // Everything on the scored topic, duplicates included (its end offsets also count the
    // transactions' commit markers, so they cannot say how many records there are).
    const out = await readTopicUntilQuiet(outTopic, readings.length, { brokerList: kafka.brokers });
    const scored = out.map((record) => JSON.parse(record.value.toString('utf8')) as Reading);
    const keyOf = (reading: Pick<Reading, 'entity_id' | 'ts'>) => `${reading.entity_id}@${reading.ts}`;
    const seen = new Set(scored.map(keyOf));
    const lost = readings.filter((reading) => !seen.has(keyOf(reading))).length;
    const duplicated = scored.length - seen.size;
    console.log(`network stall: sent ${readings.length}, scored ${scored.length}, lost ${lost}, duplicated ${duplicated}, proxy connections ${proxy.connections}`);
    assert.equal(lost, 0, 'no reading lost');
    for (const meter of meters) {
      const times = scored.filter((reading) => reading.entity_id === meter).map((reading) => reading.ts);
      const firstSeen = times.filter((ts, i) => times.indexOf(ts) === i);
      assert.deepEqual(firstSeen, [...firstSeen].sort((a, b) => a - b), `${meter} in order`);
    }
  });
});
