import { resolve } from 'node:path';
import { KafkaError } from '../kafka/errors';
import { withoutCredentials } from '../avro/registry';
import { defaultSeriesModels, formatMapping, shippedModelsDir } from '../anomaly/scoring/mapping';
import { CliUsageError, type CliCommand, type CliIo } from './command';
import { checkTopicName, cliSensitivity, parseCliOptions, requiredBrokers } from './options';
import type { Sensitivity } from '../anomaly/scoring/sensitivity';

const usage = `Usage: stream-smarts worker --brokers H:P[,H:P] --in TOPIC --out TOPIC [--anomalies TOPIC]
                            [--dead-letters TOPIC] [--group ID] [--models DIR] [--series-model SERIES=FOLDER ...]
                            [--default-model FOLDER] [--save-models] [--sensitivity S] [--registry URL] [--from-beginning]
                            [--metrics] [--metrics-interval SECONDS] [--state-topic TOPIC | --no-state]
                            [--exactly-once | --no-exactly-once] [--instance-id NAME]

The scoring engine, headless: a member of a Kafka consumer group that
reads readings from --in (Avro or JSON, detected per message), scores each with its series'
model and writes every scored reading (JSON) to --out and each anomaly (JSON record with
entity_id, ts, hour, value, unit, score, expected, ...) to --anomalies. Start more workers with
the same --group to score more meters: Kafka spreads the partitions between them, and each
meter (the message key) stays on one partition, in order. By default each reading is scored
exactly once: its results, its series' state checkpoint and its input offset are committed in
one Kafka transaction (read --out and --anomalies with read_committed). With --no-exactly-once
(or a broker that refuses transactions, said at start) an offset is committed after the results
are acknowledged: nothing is lost, a crash may repeat results. Either way: while the schema registry is unreachable the
worker waits and retries (and says so) rather than skip a reading. What can never be scored
(bytes that are not Avro or JSON, a record that is not a reading) goes to --dead-letters as it
came, with headers x-error, x-source-topic, x-source-partition, x-source-offset. Ctrl-C (SIGINT/SIGTERM) finishes the messages in
flight, commits and flushes before exiting.

  --brokers          Kafka bootstrap servers (required)
  --in, --out        input topic and scored-readings topic (required)
  --anomalies        topic for anomaly records (default: none)
  --dead-letters     topic for messages that cannot be decoded or scored (default: none; they are
                     logged and committed past)
  --group            consumer group id (default stream-smarts-worker-<in>)
  --models           per-series model directory, a subfolder per series (default: the shipped models/);
                     a series without one starts from --default-model and learns online
  --series-model     SERIES=FOLDER scores a series with a fixed model folder inside --models
                     (repeatable; default ${formatMapping(defaultSeriesModels)})
  --default-model    folder inside --models that new series start from (default: default)
  --save-models      save each series' trained model into --models (off by default)
  --sensitivity      high, normal (default) or low: how readily a learnt model alerts
  --registry         Confluent-compatible registry API for Confluent-format Avro input
  --from-beginning   a new group starts at the oldest messages (default: only new ones)
  --metrics          print throughput and lag every 10 s (stdout)
  --metrics-interval seconds between metrics lines (default 10)
  --state-topic      compacted topic keeping each series' learned state, so a partition that moves
                     to another worker keeps its memory (default <group>-series-state-changelog)
  --no-state         keep learned state in memory only
  --exactly-once     results, state and input offsets in one transaction (default)
  --no-exactly-once  at-least-once: results acknowledged, then offsets committed
  --instance-id      names this worker in its transactional id <group>-tx-<instance-id>; keep it the
                     same across restarts (e.g. the host or pod name) so a restarted worker fences its
                     predecessor and aborts its unfinished transaction at once (default <host>-<pid>:
                     the broker aborts it after 10 s); each concurrent worker needs its own`;

interface WorkerOptions {
  brokers: string[];
  inTopic: string;
  outTopic: string;
  anomaliesTopic: string | undefined;
  deadLettersTopic: string | undefined;
  groupId: string;
  modelDir: string;
  seriesModels: Record<string, string>;
  defaultModel: string;
  saveModels: boolean;
  sensitivity: Sensitivity;
  registryUrl: string | undefined;
  fromBeginning: boolean;
  metricsIntervalMs: number | undefined;
  stateTopic: string | false | undefined;
  exactlyOnce: boolean;
  instanceId: string | undefined;
}

export function parseWorkerOptions(args: string[]): WorkerOptions {
  const values = parseCliOptions(args, {
    brokers: { type: 'string' },
    in: { type: 'string' },
    out: { type: 'string' },
    anomalies: { type: 'string' },
    'dead-letters': { type: 'string' },
    group: { type: 'string' },
    models: { type: 'string' },
    'series-model': { type: 'string', multiple: true },
    'default-model': { type: 'string' },
    'save-models': { type: 'boolean', default: false },
    sensitivity: { type: 'string' },
    registry: { type: 'string' },
    'from-beginning': { type: 'boolean', default: false },
    metrics: { type: 'boolean', default: false },
    'metrics-interval': { type: 'string' },
    'state-topic': { type: 'string' },
    'no-state': { type: 'boolean', default: false },
    'exactly-once': { type: 'boolean', default: false },
    'no-exactly-once': { type: 'boolean', default: false },
    'instance-id': { type: 'string' },
  });
  if (values['exactly-once'] && values['no-exactly-once']) throw new CliUsageError('--exactly-once and --no-exactly-once exclude each other');
  if (values['instance-id'] !== undefined && !/^[A-Za-z0-9._-]{1,200}$/.test(values['instance-id'])) {
    throw new CliUsageError(`--instance-id must be letters, digits, '.', '_' or '-', got '${values['instance-id']}'`);
  }
  if (values['state-topic'] !== undefined && values['no-state']) throw new CliUsageError('--state-topic and --no-state exclude each other');
  if (values['state-topic'] !== undefined) checkTopicName('--state-topic', values['state-topic']);
  const brokers = requiredBrokers(values.brokers);
  for (const [flag, topic] of [['--in', values.in], ['--out', values.out], ['--anomalies', values.anomalies], ['--dead-letters', values['dead-letters']]] as const) {
    if (topic === undefined && (flag === '--in' || flag === '--out')) throw new CliUsageError(`${flag} TOPIC is required`);
    if (topic !== undefined) checkTopicName(flag, topic);
  }
  if ([values.out, values.anomalies, values['dead-letters']].includes(values.in)) {
    throw new CliUsageError('--out, --anomalies and --dead-letters must differ from --in (the worker would score its own output)');
  }
  const seriesModels: Record<string, string> = values['series-model'] ? {} : { ...defaultSeriesModels };
  for (const entry of values['series-model'] ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) throw new CliUsageError(`--series-model must be SERIES=FOLDER, got '${entry}'`);
    seriesModels[entry.slice(0, at)] = entry.slice(at + 1);
  }
  let metricsIntervalMs: number | undefined;
  if (values.metrics || values['metrics-interval'] !== undefined) {
    const seconds = Number(values['metrics-interval'] ?? 10);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new CliUsageError(`--metrics-interval must be a positive number of seconds, got '${values['metrics-interval']}'`);
    metricsIntervalMs = seconds * 1000;
  }
  if (values.registry !== undefined && !/^https?:\/\//.test(values.registry)) throw new CliUsageError(`--registry must be an http(s) URL, got '${withoutCredentials(values.registry).url}'`);
  const modelDir = resolve(values.models ?? shippedModelsDir);
  return {
    brokers,
    inTopic: values.in as string,
    outTopic: values.out as string,
    anomaliesTopic: values.anomalies,
    deadLettersTopic: values['dead-letters'],
    groupId: values.group ?? `stream-smarts-worker-${values.in}`,
    modelDir,
    seriesModels,
    defaultModel: values['default-model'] ?? 'default',
    saveModels: values['save-models'] ?? false,
    sensitivity: cliSensitivity(values.sensitivity),
    registryUrl: values.registry,
    fromBeginning: values['from-beginning'] ?? false,
    metricsIntervalMs,
    stateTopic: values['no-state'] ? false : values['state-topic'],
    exactlyOnce: !values['no-exactly-once'],
    instanceId: values['instance-id'],
  };
}

/** Longest the worker takes to stop after SIGINT/SIGTERM, broker reachable or not. */
const stopTimeoutMs = 10_000;

/**
 * Listens for SIGINT and SIGTERM from the start (also while connecting): the first aborts the
 * returned signal, a second exits at once.
 */
function shutdownSignal(log: (line: string) => void): { signal: AbortSignal; signalled: Promise<string>; dispose: () => void } {
  const controller = new AbortController();
  let name = '';
  let resolveSignalled: (signal: string) => void = () => undefined;
  const signalled = new Promise<string>((resolve) => {
    resolveSignalled = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`worker: ${signal} again: exiting now; unfinished messages stay uncommitted`);
      process.exit(130);
    }
    name = signal;
    log(`worker: ${signal}: stopping (within ${stopTimeoutMs / 1000} s); unfinished messages stay uncommitted`);
    controller.abort();
    resolveSignalled(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    signalled,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseWorkerOptions(args);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const { startWorker, formatMetrics } = await import('../worker/worker');
  const { createModelScorer } = await import('../worker/model-scorer');
  const scorer = createModelScorer({ modelDir: options.modelDir, seriesModels: options.seriesModels, defaultModel: options.defaultModel, save: options.saveModels, sensitivity: options.sensitivity, log });
  const shutdown = shutdownSignal(log);
  let worker;
  try {
    worker = await startWorker(
      {
        broker: { brokers: options.brokers, clientId: 'stream-smarts-worker' },
        inTopic: options.inTopic,
        outTopic: options.outTopic,
        anomaliesTopic: options.anomaliesTopic,
        deadLettersTopic: options.deadLettersTopic,
        groupId: options.groupId,
        registryUrl: options.registryUrl,
        fromBeginning: options.fromBeginning,
        metricsIntervalMs: options.metricsIntervalMs,
        stopTimeoutMs,
        exactlyOnce: options.exactlyOnce,
        ...(options.instanceId !== undefined ? { instanceId: options.instanceId } : {}),
        ...(options.stateTopic !== undefined ? { stateTopic: options.stateTopic } : {}),
      },
      { scorer, log, signal: shutdown.signal, onMetrics: (metrics) => io.stdout.write(`${formatMetrics(metrics)}\n`) },
    );
  } catch (error) {
    shutdown.dispose();
    if (error instanceof KafkaError) throw new CliUsageError(`cannot start: ${error.message}`, 1);
    throw error;
  }
  if (!shutdown.signal.aborted) {
    log(`worker: scoring ${options.inTopic} → ${options.outTopic}${options.anomaliesTopic ? ` (+ anomalies → ${options.anomaliesTopic})` : ''} in group ${options.groupId}, ${deliveryLine(worker.delivery, options.exactlyOnce)}; Ctrl-C stops`);
  }
  const outcome = await Promise.race([shutdown.signalled.then((name) => ({ signal: name })), worker.done.then(() => ({ signal: '' }), (error: Error) => ({ error }))]);
  if ('error' in outcome) {
    shutdown.dispose();
    log(`worker: stopped: ${outcome.error.message}`);
    return 1;
  }
  log(`worker: ${outcome.signal || 'stop'}: finishing ${worker.stats.inFlight} message(s) in flight, committing, flushing`);
  await worker.stop();
  shutdown.dispose();
  const stats = worker.stats;
  log(`worker: stopped after scoring ${stats.scored} reading(s), ${stats.anomalies} anomalies, ${stats.rejected} ${options.deadLettersTopic ? 'dead-lettered' : 'skipped'}`);
  // kafkajs may leave reconnect timers behind when the broker is gone: they must not keep the process
  setTimeout(() => process.exit(process.exitCode ?? (stats.unsent > 0 ? 1 : 0)), 1000).unref();
  return stats.unsent > 0 ? 1 : 0;
}

function deliveryLine(delivery: 'exactly-once' | 'at-least-once', asked: boolean): string {
  if (delivery === 'exactly-once') return 'exactly-once (transactions; read the output with read_committed)';
  return asked ? 'at-least-once (the broker refused transactions)' : 'at-least-once (--no-exactly-once)';
}

export const command: CliCommand = {
  name: 'worker',
  summary: 'score a Kafka topic in a consumer group (the headless scoring engine)',
  usage,
  run,
};
