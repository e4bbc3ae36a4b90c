// npm run bench pipeline [-- --count N --partitions P --meters M --in-flight F --profile FILE]
// One broker (the shared stack's), one input topic of N JSON readings, and per stage the rate
// and its ratio to raw kafkajs produce+consume of the same N: the worker with a constant scorer
// and with the model scorer, and smarts-kafka-in → smarts-anomaly in the real Node-RED runtime
// embedded in this process (not the test helper). --profile writes a CPU profile of the node
// path's timed window to FILE and prints its summary (test/bench/cpu-profile.ts).
// Measures; asserts nothing. Fresh topics and groups per run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createModelScorer } from '../../core/worker/model-scorer';
import { formatSummary, summarise } from './cpu-profile';
import type { ReadingScorer } from '../../core/worker/scorer';
import { projectRoot, stackInfo } from '../support/stack';
import { timeNodes } from './pipeline/nodes';
import { windowProfiler } from './pipeline/profiler';
import { rawProduceConsume } from './pipeline/raw';
import { benchOptions, readingMessages } from './pipeline/readings';
import { timeWorker } from './pipeline/worker';

const constantScorer: ReadingScorer = {
  score: async (reading) => ({ ...reading, score: 0.1, anomaly_score: 0.01, anomaly: false, expected: reading.value, model: 'constant' }),
};

interface Row {
  stage: string;
  work: string;
  ms: number;
  rejected?: number;
}

function table(rows: Row[], count: number): string {
  const raw = rows[0] as Row;
  const rate = (row: Row): number => (count * 1000) / row.ms;
  const lines = rows.map((row) => [row.stage, row.work, Math.round(rate(row)).toString(), (rate(row) / rate(raw)).toFixed(2), row.rejected ? String(row.rejected) : '']);
  const header = ['stage', 'work per message', 'msg/s', 'x raw', 'rejected'];
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] as string).length)));
  const format = (cells: string[]): string => cells.map((cell, i) => (i >= 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [format(header), ...lines.map(format)].join('\n');
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const brokers = stackInfo().kafka.brokers;
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const topics = { in: `bench-pipeline-in-${run}`, constant: `bench-pipeline-constant-${run}`, model: `bench-pipeline-model-${run}` };
  const kafka = new Kafka({ brokers, clientId: 'bench-pipeline', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: options.partitions })) });
  const modelDir = join(projectRoot(), 'models');
  const worker = { inTopic: topics.in, brokers, count: options.count, inFlight: options.inFlight };
  try {
    const raw = await rawProduceConsume(kafka, topics.in, readingMessages(options.count, options.meters), `bench-raw-${run}`);
    const rows: Row[] = [{ stage: 'raw kafkajs', work: 'produce (acks all) + consume (eachBatch)', ms: raw.produceMs + raw.consumeMs }];
    const constant = await timeWorker({ ...worker, outTopic: topics.constant, groupId: `bench-constant-${run}` }, constantScorer);
    rows.push({ stage: 'worker, constant scorer', work: 'consume → decode → score → produce, acked', ...constant });
    const model = await timeWorker({ ...worker, outTopic: topics.model, groupId: `bench-model-${run}` }, createModelScorer({ modelDir }));
    rows.push({ stage: 'worker, model scorer', work: 'consume → decode → score → produce, acked', ...model });
    const profiler = options.profile ? windowProfiler() : undefined;
    const nodes = await timeNodes({ ...worker, groupId: `bench-nodes-${run}`, modelDir, onFirst: profiler?.start, onLast: profiler?.stop });
    rows.push({ stage: 'kafka-in → anomaly node', work: 'consume → decode → score (Node-RED runtime), no produce', ...nodes });
    console.log(`${options.count} JSON readings of ${options.meters} meters, ${options.partitions} partitions, ${options.inFlight} in flight, broker ${brokers.join(',')}`);
    console.log(`raw: produce ${Math.round((options.count * 1000) / raw.produceMs)} msg/s, consume ${Math.round((options.count * 1000) / raw.consumeMs)} msg/s`);
    console.log(table(rows, options.count));
    if (profiler && options.profile) {
      const profile = await profiler.profile();
      writeFileSync(options.profile, JSON.stringify(profile));
      console.log(`\nCPU profile of the node path (${options.profile}):\n${formatSummary(summarise(profile))}`);
    }
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`pipeline bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
