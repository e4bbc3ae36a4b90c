/**
 * npm run bench worker-group [-- --count N --meters M --partitions P --workers 1,2,3]: throughput of
 * one, two and three `stream-smarts worker` processes sharing a consumer group on the shared
 * broker. Each run: a fresh input topic of N hourly readings of M meters (keyed by meter, so a
 * realistic key spread over P partitions), workers started together, timed from the first
 * worker's start to the N-th scored reading on the output topic. Measures; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, stackInfo } from '../support/stack';
import { readingMessages, until } from './pipeline/readings';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    count: { type: 'string', default: '150000' },
    meters: { type: 'string', default: '10000' },
    partitions: { type: 'string', default: '6' },
    workers: { type: 'string', default: '1,2,3' },
  },
});
const count = Number(values.count);
const meters = Number(values.meters);
const partitions = Number(values.partitions);
const workerCounts = values.workers.split(',').map(Number);
const brokers = stackInfo().kafka.brokers;
const kafka = new Kafka({ brokers, clientId: 'bench-worker-group', logLevel: logLevel.NOTHING });

function startWorker(inTopic: string, outTopic: string, group: string): ChildProcess {
  const bin = join(projectRoot(), 'bin', 'stream-smarts.js');
  return spawn(process.execPath, [bin, 'worker', '--brokers', brokers.join(','), '--in', inTopic, '--out', outTopic, '--group', group, '--from-beginning', '--no-state'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function countOutput(topic: string, onMessage: () => void): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: `${topic}-counter` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => batch.messages.forEach(onMessage) });
  return () => consumer.disconnect();
}

async function run(workers: number, runId: string): Promise<number> {
  const inTopic = `bench-group-in-${runId}-${workers}`;
  const outTopic = `bench-group-out-${runId}-${workers}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [inTopic, outTopic].map((topic) => ({ topic, numPartitions: partitions })) });
  const producer = kafka.producer();
  await producer.connect();
  const messages = readingMessages(count, meters);
  for (let start = 0; start < messages.length; start += 5000) await producer.send({ topic: inTopic, messages: messages.slice(start, start + 5000) });
  await producer.disconnect();
  let scored = 0;
  const stopCounting = await countOutput(outTopic, () => {
    scored += 1;
  });
  const started = performance.now();
  const children = Array.from({ length: workers }, () => startWorker(inTopic, outTopic, `bench-group-${runId}-${workers}`));
  try {
    await until(() => scored >= count, 900_000, `${count} scored readings from ${workers} worker(s)`);
    return performance.now() - started;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await stopCounting();
    await admin.deleteTopics({ topics: [inTopic, outTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const runId = Date.now().toString(36);
  console.log(`${count} JSON readings of ${meters} meters, ${partitions} partitions, ${cpus().length} cores, broker ${brokers.join(',')}`);
  console.log('workers  seconds  readings/s  x one worker (from process start: includes each worker loading its models and joining)');
  let one = 0;
  for (const workers of workerCounts) {
    const ms = await run(workers, runId);
    const rate = (count * 1000) / ms;
    one ||= rate;
    console.log(`${String(workers).padStart(7)}  ${(ms / 1000).toFixed(1).padStart(7)}  ${Math.round(rate).toString().padStart(10)}  ${(rate / one).toFixed(2)}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`worker-group bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
