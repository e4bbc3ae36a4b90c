import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { projectRoot, stackInfo } from '../../support/stack';
import { spawnWorker, until, type WorkerProcess } from './support';

const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

interface Scored {
  entity_id: string;
  ts: number;
}

interface Tally {
  sent: number;
  received: number;
  distinct: number;
  lost: number;
  duplicated: number;
  /** Series whose first arrivals of each reading are not in time order. */
  outOfOrder: number;
  /** Series whose records, duplicates included, do not rise strictly in time. */
  notStrictlyRising: number;
}

function tally(sent: Map<string, number[]>, received: Scored[]): Tally {
  const bySeries = new Map<string, number[]>();
  for (const row of received) bySeries.set(row.entity_id, [...(bySeries.get(row.entity_id) ?? []), row.ts]);
  let distinct = 0;
  let lost = 0;
  let outOfOrder = 0;
  let notStrictlyRising = 0;
  for (const [series, times] of sent) {
    const got = bySeries.get(series) ?? [];
    const firsts = [...new Set(got)];
    distinct += firsts.length;
    lost += times.filter((ts) => !firsts.includes(ts)).length;
    if (firsts.some((ts, i) => i > 0 && ts <= (firsts[i - 1] as number))) outOfOrder += 1;
    if (got.some((ts, i) => i > 0 && ts <= (got[i - 1] as number))) notStrictlyRising += 1;
  }
  const total = [...sent.values()].reduce((sum, times) => sum + times.length, 0);
  return { sent: total, received: received.length, distinct, lost, duplicated: received.length - distinct, outOfOrder, notStrictlyRising };
}

// A worker scoring a steady stream is SIGKILLed mid-way and started again with the same
// --instance-id; a read_committed reader of its output counts every reading.
describe('stream-smarts worker: exactly-once through a SIGKILL', { timeout: 420_000 }, () => {
  const meters = Array.from({ length: 8 }, (_, i) => `sensor.eos_${runId}_${i}`);
  const perMeter = 300;
  const start = Date.UTC(2026, 0, 5);
  const modes = ['exactly-once', 'no-exactly-once'] as const;
  const topic = (mode: string, what: string) => `eos-${what}-${mode}-${runId}`;
  let kafka: Kafka;
  const workers: WorkerProcess[] = [];
  const consumers: Consumer[] = [];
  const producers: Producer[] = [];

  before(async () => {
    kafka = new Kafka({ brokers: stackInfo().kafka.brokers, clientId: 'eos-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: modes.flatMap((mode) => [{ topic: topic(mode, 'in'), numPartitions: 4 }, { topic: topic(mode, 'scored'), numPartitions: 2 }]) });
    await admin.disconnect();
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    for (const producer of producers) await producer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    const topics = modes.flatMap((mode) => [topic(mode, 'in'), topic(mode, 'scored'), `${topic(mode, 'group')}-series-state-changelog`]);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups(modes.flatMap((mode) => [topic(mode, 'group'), topic(mode, 'check')])).catch(() => undefined);
    await admin.disconnect();
  });

  /** Produces `perMeter` readings per meter, a round every 20 ms; returns what was sent per series. */
  async function stream(mode: string): Promise<Map<string, number[]>> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    producers.push(producer);
    await producer.connect();
    const sent = new Map<string, number[]>(meters.map((m) => [m, []]));
    for (let i = 0; i < perMeter; i += 1) {
      const ts = start + i * 3_600_000;
      await producer.send({
        topic: topic(mode, 'in'),
        acks: -1,
        messages: meters.map((entity_id, m) => ({ key: entity_id, value: JSON.stringify({ entity_id, ts, value: 0.2 + ((i * 7 + m) % 24) / 30, unit: 'kWh', kind: 'energy', interval_s: 3600 }) })),
      });
      for (const m of meters) sent.get(m)?.push(ts);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return sent;
  }

  async function readCommitted(mode: string): Promise<Scored[]> {
    const rows: Scored[] = [];
    const consumer = kafka.consumer({ groupId: topic(mode, 'check'), readUncommitted: false });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topic(mode, 'scored'), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void rows.push(JSON.parse(String(message.value)) as Scored) });
    return rows;
  }

  async function killAndRestart(mode: (typeof modes)[number]): Promise<{ tally: Tally; first: WorkerProcess; second: WorkerProcess; atKill: number }> {
    const args = [
      '--brokers', stackInfo().kafka.brokers.join(','), '--in', topic(mode, 'in'), '--out', topic(mode, 'scored'),
      '--group', topic(mode, 'group'), '--models', join(projectRoot(), 'models'), '--from-beginning', '--instance-id', 'eos-test', `--${mode}`,
    ];
    const first = spawnWorker(args);
    workers.push(first);
    await until('the first worker to join', () => (/joined group/.test(first.stderr) ? true : undefined));
    const rows = await readCommitted(mode);
    const streaming = stream(mode);
    const total = meters.length * perMeter;
    await until('a quarter of the stream scored', () => (rows.length >= total / 4 ? true : undefined), 120_000);
    const atKill = rows.length;
    first.child.kill('SIGKILL');
    await first.exit;
    const second = spawnWorker(args);
    workers.push(second);
    const sent = await streaming;
    await until('every reading scored', () => (new Set(rows.map((r) => `${r.entity_id}@${r.ts}`)).size >= total ? true : undefined), 180_000);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // late duplicates would show by now
    second.child.kill('SIGTERM');
    assert.equal(await second.exit, 0, second.stderr);
    return { tally: tally(sent, rows), first, second, atKill };
  }

  it('exactly-once: every reading scored once, in order per series, across the kill', async (t) => {
    const { tally: counts, first, second, atKill } = await killAndRestart('exactly-once');
    t.diagnostic(`exactly-once: ${JSON.stringify(counts)}, ${atKill} seen when the first worker was killed`);
    assert.match(first.stderr, /exactly-once \(transactions/);
    assert.match(second.stderr, /exactly-once \(transactions/);
    assert.equal(counts.lost, 0, 'lost');
    assert.equal(counts.duplicated, 0, 'duplicated');
    assert.equal(counts.notStrictlyRising, 0, 'series out of order');
    assert.equal(counts.received, counts.sent);
  });

  it('at-least-once (--no-exactly-once): none lost across the kill; duplicates possible', async (t) => {
    const { tally: counts, second, atKill } = await killAndRestart('no-exactly-once');
    t.diagnostic(`at-least-once: ${JSON.stringify(counts)}, ${atKill} seen when the first worker was killed`);
    assert.match(second.stderr, /at-least-once \(--no-exactly-once\)/);
    assert.equal(counts.lost, 0, 'lost');
    assert.equal(counts.outOfOrder, 0, 'first arrivals out of order');
  });
});
