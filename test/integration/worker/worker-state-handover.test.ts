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
  exit: Promise<number | null>;
}

function startWorker(args: string[]): WorkerProcess {
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(distRoot, 'core', 'cli', 'main.js'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, 'worker', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const worker: WorkerProcess = { child, stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stderr?.on('data', (chunk) => (worker.stderr += String(chunk)));
  return worker;
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Scored {
  entity_id: string;
  ts: number;
  score: number;
  expected: number;
}

// One of two workers is SIGKILLed mid-stream: its partitions move to the other, which reads the
// moved series' learned state from the changelog first, so their scores after the move are those
// of a run without the kill.
describe('stream-smarts worker: learned state follows the partition', { timeout: 300_000 }, () => {
  const meters = Array.from({ length: 8 }, (_, i) => `sensor.handover_${runId}_${i}`);
  const before_ = 30;
  const afterMove = 10;
  const start = Date.UTC(2026, 0, 5);
  const runs = ['reference', 'killed'] as const;
  const topic = (run: string, what: string) => `handover-${what}-${run}-${runId}`;
  let kafka: Kafka;
  const workers: WorkerProcess[] = [];
  const consumers: Consumer[] = [];

  before(async () => {
    kafka = new Kafka({ brokers: stackInfo().kafka.brokers, clientId: 'handover-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: runs.flatMap((run) => [{ topic: topic(run, 'in'), numPartitions: 4 }, { topic: topic(run, 'scored'), numPartitions: 1 }]) });
    await admin.disconnect();
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    const topics = runs.flatMap((run) => [topic(run, 'in'), topic(run, 'scored'), `${topic(run, 'group')}-series-state-changelog`]);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups(runs.map((run) => topic(run, 'group'))).catch(() => undefined);
    await admin.disconnect();
  });

  async function produce(run: string, from: number, to: number): Promise<void> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = from; i < to; i += 1) {
      await producer.send({
        topic: topic(run, 'in'),
        acks: -1,
        messages: meters.map((entity_id, m) => ({
          key: entity_id,
          value: JSON.stringify({ entity_id, ts: start + i * 3_600_000, value: 0.2 + ((i * 7 + m) % 24) / 30, unit: 'kWh', kind: 'energy', interval_s: 3600 }),
        })),
      });
    }
    await producer.disconnect();
  }

  async function collect(run: string): Promise<Scored[]> {
    const scored: Scored[] = [];
    const consumer = kafka.consumer({ groupId: `handover-check-${run}-${runId}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topic(run, 'scored'), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void scored.push(JSON.parse(String(message.value)) as Scored) });
    return scored;
  }

  const args = (run: string) => ['--brokers', stackInfo().kafka.brokers.join(','), '--in', topic(run, 'in'), '--out', topic(run, 'scored'), '--group', topic(run, 'group'), '--models', join(projectRoot(), 'models'), '--from-beginning'];
  const keyOf = (r: Scored) => `${r.entity_id}@${r.ts}`;
  const distinct = (rows: Scored[]) => new Set(rows.map(keyOf)).size;

  it('the moved series score after the move as in a run without the kill', async () => {
    // reference: one worker, no kill
    const reference = startWorker(args('reference'));
    workers.push(reference);
    await until('the reference worker to join', () => (/joined group/.test(reference.stderr) ? true : undefined));
    const referenceScores = await collect('reference');
    await produce('reference', 0, before_ + afterMove);
    await until('the reference scores', () => (distinct(referenceScores) >= meters.length * (before_ + afterMove) ? true : undefined));
    reference.child.kill('SIGTERM');
    await reference.exit;
    const expected = new Map(referenceScores.map((r) => [keyOf(r), r]));

    // two workers; one is SIGKILLed once the first part is scored and checkpointed
    const pair = [startWorker(args('killed')), startWorker(args('killed'))];
    workers.push(...pair);
    await until('both workers to hold two partitions', () => (pair.every((w) => /joined group \S+ with 2 partition\(s\)[^\n]*\n(?![\s\S]*joined group)/.test(w.stderr)) ? true : undefined));
    const killedScores = await collect('killed');
    await produce('killed', 0, before_);
    await until('the first part scored', () => (distinct(killedScores) >= meters.length * before_ ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 2000)); // checkpoints follow the acknowledged results
    const [victim, survivor] = pair as [WorkerProcess, WorkerProcess];
    victim.child.kill('SIGKILL');
    await victim.exit;
    await until('the survivor to take all four partitions', () => (/joined group \S+ with 4 partition\(s\)/.test(survivor.stderr) ? true : undefined), 120_000);
    await produce('killed', before_, before_ + afterMove);
    await until('every reading scored', () => (distinct(killedScores) >= meters.length * (before_ + afterMove) ? true : undefined), 120_000);

    assert.match(survivor.stderr, /restored \d+ series of partition \d+/, 'the survivor should restore the moved series from the changelog');
    let compared = 0;
    for (const row of killedScores.filter((r) => r.ts >= start + before_ * 3_600_000)) {
      const want = expected.get(keyOf(row));
      assert.ok(want, `no reference score for ${keyOf(row)}`);
      assert.equal(row.score, want.score, `${keyOf(row)} score after the move`);
      assert.equal(row.expected, want.expected, `${keyOf(row)} expected after the move`);
      compared += 1;
    }
    assert.ok(compared >= meters.length * afterMove, `compared ${compared}`);
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exit, 0, survivor.stderr);
  });
});
