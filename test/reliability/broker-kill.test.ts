import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { projectRoot } from '../support/stack';
import { createTopic, PrivateKafka, uniqueName } from '../integration/kafka/support';
import { spawnWorker, until, type WorkerProcess } from '../integration/worker/support';

const meters = Array.from({ length: 12 }, (_, i) => `sensor.broker_kill_${i}`);
const rounds = 400;
const roundMs = 40;
const log = (line: string) => process.env.RELIABILITY_VERBOSE && console.log(`[broker-kill] ${line}`);

interface Scored {
  entity_id: string;
  ts: number;
}

// The broker itself SIGKILLed mid-stream (no shutdown, as a crash or the OOM killer would) and
// started again a few seconds later, while a steady 300 readings/s flow through the worker
// (exactly-once, the default). A read_committed reader of the worker's output counts every
// reading: none lost, none twice, each meter in order.
describe('reliability: the Kafka broker SIGKILLed and restarted during a steady stream', { timeout: 600_000 }, () => {
  const base = 19800 + Math.floor(Math.random() * 150);
  const kafka = new PrivateKafka(base, base + 200, base + 400);
  const inTopic = uniqueName('rel-kill-in');
  const outTopic = uniqueName('rel-kill-scored');
  const groupId = uniqueName('rel-kill-group');
  let client: Kafka;
  let worker: WorkerProcess | undefined;
  let producer: Producer | undefined;
  let reader: Consumer | undefined;

  before(async () => {
    await kafka.start();
    client = new Kafka({ brokers: kafka.brokers, clientId: 'rel-broker-kill', logLevel: logLevel.NOTHING, retry: { retries: 20, maxRetryTime: 5000 } });
    await createTopic(inTopic, 4, kafka.brokers);
    await createTopic(outTopic, 2, kafka.brokers);
  });
  after(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await producer?.disconnect().catch(() => undefined);
    await reader?.disconnect().catch(() => undefined);
    await kafka.remove();
  });

  it('scores every reading exactly once, in order per meter, across the kill', async () => {
    worker = spawnWorker(['--brokers', kafka.brokers.join(','), '--in', inTopic, '--out', outTopic, '--group', groupId, '--models', join(projectRoot(), 'models'), '--from-beginning', '--instance-id', 'rel-broker-kill']);
    const running = worker;
    await until('the worker to join its group', () => (/joined group/.test(running.stderr) ? true : undefined), 120_000);

    const rows: Scored[] = [];
    reader = client.consumer({ groupId: uniqueName('rel-kill-check'), readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topic: outTopic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void rows.push(JSON.parse(String(message.value)) as Scored) });

    // the idempotent producer retries through the outage itself (20 retries, up to 5 s apart), so
    // the input holds each reading once
    producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const start = Date.UTC(2026, 0, 5);
    const total = meters.length * rounds;
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < rounds; i += 1) {
        const ts = start + i * 3_600_000;
        await producer?.send({
          topic: inTopic,
          acks: -1,
          messages: meters.map((entity_id, m) => ({ key: entity_id, value: JSON.stringify({ entity_id, ts, value: 0.2 + ((i * 7 + m) % 24) / 30, unit: 'kWh', kind: 'energy', interval_s: 3600 }) })),
        });
        sent += meters.length;
        await new Promise((resolve) => setTimeout(resolve, roundMs));
      }
    })();

    await until('a quarter of the stream scored', () => (rows.length >= total / 4 ? true : undefined), 120_000);
    const pid = Number(readFileSync(join(kafka.dir, 'run', 'kafka.pid'), 'utf8'));
    const atKill = { sent, scored: rows.length };
    process.kill(pid, 'SIGKILL');
    log(`broker (pid ${pid}) SIGKILLed at ${atKill.sent} sent, ${atKill.scored} scored`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await kafka.start();
    log('broker started again');
    await sending;
    await until('every reading scored', () => (new Set(rows.map((row) => `${row.entity_id}@${row.ts}`)).size >= total ? true : undefined), 240_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${new Set(rows.map((row) => `${row.entity_id}@${row.ts}`)).size} of ${total}\n${running.stderr.slice(-3000)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 3000)); // late duplicates would show by now

    const bySeries = new Map<string, number[]>();
    for (const row of rows) bySeries.set(row.entity_id, [...(bySeries.get(row.entity_id) ?? []), row.ts]);
    const distinct = new Set(rows.map((row) => `${row.entity_id}@${row.ts}`)).size;
    const notRising = [...bySeries.values()].filter((times) => times.some((ts, i) => i > 0 && ts <= (times[i - 1] as number))).length;
    console.log(
      `broker kill: ${total} sent at ${Math.round(1000 / roundMs) * meters.length}/s, killed at ${atKill.sent} sent / ${atKill.scored} scored; ` +
        `${rows.length} scored, ${total - distinct} lost, ${rows.length - distinct} duplicated, ${notRising} meters out of order`,
    );
    assert.ok(atKill.sent < total, 'the kill came mid-stream');
    assert.equal(distinct, total, 'none lost');
    assert.equal(rows.length, distinct, 'none scored twice');
    assert.equal(notRising, 0, 'each meter in order');
    running.child.kill('SIGTERM');
    assert.equal(await running.exit, 0, running.stderr.slice(-2000));
  });
});
