import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { projectRoot, stackInfo } from '../../support/stack';

const distRoot = join(__dirname, '..', '..', '..');
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

interface WorkerProcess {
  child: ChildProcess;
  stderr: string;
  stdout: string;
  exit: Promise<number | null>;
}

function startWorker(args: string[]): WorkerProcess {
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(distRoot, 'core', 'cli', 'main.js'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, 'worker', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: WorkerProcess = {
    child,
    stderr: '',
    stdout: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stderr?.on('data', (chunk) => (worker.stderr += String(chunk)));
  child.stdout?.on('data', (chunk) => (worker.stdout += String(chunk)));
  return worker;
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Two `stream-smarts worker` processes in one consumer group on a 4-partition topic: Kafka gives
// each two partitions, every reading is scored exactly once, each meter's readings stay in order.
describe('stream-smarts worker: two workers in one group', { timeout: 240_000 }, () => {
  const inTopic = `worker-in-${runId}`;
  const outTopic = `worker-scored-${runId}`;
  const anomaliesTopic = `worker-anomalies-${runId}`;
  const group = `worker-group-${runId}`;
  const meters = Array.from({ length: 12 }, (_, i) => `sensor.worker_${runId}_${i}`);
  const perMeter = 40;
  const start = Date.UTC(2026, 0, 5);
  let kafka: Kafka;
  const workers: WorkerProcess[] = [];
  const consumers: Consumer[] = [];

  before(async () => {
    kafka = new Kafka({ brokers: stackInfo().kafka.brokers, clientId: 'worker-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: inTopic, numPartitions: 4 },
        { topic: outTopic, numPartitions: 3 },
        { topic: anomaliesTopic, numPartitions: 1 },
      ],
    });
    await admin.disconnect();
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [inTopic, outTopic, anomaliesTopic] }).catch(() => undefined);
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  });

  it('scores every reading exactly once, in order per meter, and stops gracefully', async () => {
    const args = ['--brokers', stackInfo().kafka.brokers.join(','), '--in', inTopic, '--out', outTopic, '--anomalies', anomaliesTopic, '--group', group];
    args.push('--models', join(projectRoot(), 'models'), '--metrics-interval', '1');
    workers.push(startWorker(args), startWorker(args));
    // Produce only once both have their two partitions, so no rebalance happens mid-stream.
    await until('both workers to hold two partitions', () =>
      workers.every((w) => /joined group \S+ with 2 partition\(s\)[^\n]*\n(?![\s\S]*joined group)/.test(w.stderr)) ? true : undefined,
    );

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < perMeter; i += 1) {
      await producer.send({
        topic: inTopic,
        acks: -1,
        messages: meters.map((entity_id) => ({
          key: entity_id,
          value: JSON.stringify({ entity_id, ts: start + i * 3_600_000, value: 0.3 + (i % 24) / 40, unit: 'kWh', kind: 'energy', interval_s: 3600 }),
        })),
      });
    }
    // The seed's demo record, scored with the seed's hour-profile model: an anomaly (5.46).
    await producer.send({ topic: inTopic, acks: -1, messages: [{ key: 'seed.power', value: JSON.stringify({ hour: 4, kwh: 1500 }) }] });
    await producer.disconnect();
    const total = meters.length * perMeter + 1;

    const scored: Array<{ entity_id: string; ts: number; score: number }> = [];
    const anomalies: Array<Record<string, unknown>> = [];
    for (const [topic, sink] of [[outTopic, scored], [anomaliesTopic, anomalies]] as const) {
      const consumer = kafka.consumer({ groupId: `worker-check-${topic}` });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void (sink as unknown[]).push(JSON.parse(String(message.value))) });
    }
    await until(`${total} scored readings`, () => (scored.length >= total ? true : undefined), 120_000);
    await until('the anomaly record', () => (anomalies.length >= 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // duplicates, if any, would arrive now

    const keys = scored.map((r) => `${r.entity_id}@${r.ts}`);
    assert.equal(scored.length, total, 'a reading was scored more than once');
    assert.equal(new Set(keys).size, total);
    for (const meter of meters) {
      const order = scored.filter((r) => r.entity_id === meter).map((r) => r.ts);
      assert.equal(order.length, perMeter);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${meter} out of order`);
    }
    assert.equal(anomalies.length, 1);
    const [anomaly] = anomalies;
    assert.equal(anomaly!.entity_id, 'seed.power');
    assert.equal(anomaly!.hour, 4);
    assert.equal(anomaly!.value, 1500);
    assert.equal(anomaly!.unit, 'Wh');
    assert.ok(Math.abs(Number(anomaly!.score) - 5.46) < 0.01, `seed score ${anomaly!.score}`);
    for (const field of ['ts', 'expected']) assert.equal(typeof anomaly![field], 'number');

    await until('a metrics line with zero lag', () => (workers.every((w) => /lag 0,/.test(w.stdout)) ? true : undefined), 30_000);
    for (const worker of workers) worker.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exit));
    assert.deepEqual(codes, [0, 0], workers.map((w) => w.stderr).join('\n---\n'));
    const counts = workers.map((w) => Number(/stopped after scoring (\d+) reading/.exec(w.stderr)?.[1]));
    assert.ok(counts.every((count) => count > 0), `both workers scored: ${counts.join(', ')}`);
    assert.equal(counts[0]! + counts[1]!, total);
  });
});
