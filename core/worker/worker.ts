import { ValueCodec } from '../avro/codec';
import { RegistryClient } from '../avro/registry';
import { BufferedProducer, defaultBufferBounds } from '../kafka/buffered-producer';
import { createKafkaClient, type KafkaClient } from '../kafka/client';
import type { BrokerConfig } from '../kafka/config';
import { GroupConsumer, type ConsumerEvent } from '../kafka/consumer';
import type { KafkaError } from '../kafka/errors';
import type { Delivery, ProduceRecord } from '../kafka/types';
import { TransactionalOutput } from '../kafka/transactional-output';
import { groupLag } from './lag';
import { chooseDelivery, transactionalIdOf, type DeliveryMode } from './delivery-mode';
import { ScoringPipeline, type PipelineCounters } from './pipeline';
import type { ReadingScorer } from './scorer';
import { ChangelogStore, defaultChangelogTopic } from '../state/changelog-store';
import { WorkerSeriesState } from './series-state';

export interface WorkerConfig {
  broker: BrokerConfig;
  inTopic: string;
  outTopic: string;
  anomaliesTopic?: string;
  /** Topic for what is not a reading, cannot be decoded or cannot be scored (as it came, with x-error and x-source-* headers). */
  deadLettersTopic?: string;
  groupId: string;
  /** Confluent-compatible registry API for Confluent-format Avro input. */
  registryUrl?: string;
  fromBeginning?: boolean;
  /** Messages consumed and not yet finished, across all meters (default 4096). */
  maxInFlight?: number;
  /** Metrics every this many ms; none when unset. */
  metricsIntervalMs?: number;
  /** Compacted topic that keeps each series' learned state (default `<group>-series-state-changelog`); false: none. */
  stateTopic?: string | false;
  /** Longest a stop may take (default 10 s): what is unfinished by then stays uncommitted. */
  stopTimeoutMs?: number;
  /**
   * Exactly-once (default true): results, checkpoints and input offsets in one Kafka
   * transaction; at-least-once when false or when the broker refuses transactions.
   */
  exactlyOnce?: boolean;
  /** Names this worker instance in its transactional id; stable across restarts (default `<host>-<pid>`). */
  instanceId?: string;
}

export interface WorkerMetrics extends PipelineCounters {
  /** Readings scored per second since the previous report. */
  perSecond: number;
  /** Unconsumed messages of the input topic for the group; null when the broker did not say. */
  lag: number | null;
  partitions: number;
}

export interface WorkerHooks {
  scorer: ReadingScorer;
  /** Human-readable progress and problems (stderr in the CLI). */
  log?: (line: string) => void;
  onMetrics?: (metrics: WorkerMetrics) => void;
  /** Called once the consumer has joined the group with its partitions. */
  onJoined?: (partitions: number) => void;
  client?: KafkaClient;
  /** Aborting stops the worker, also while it is still connecting (e.g. the broker is unreachable). */
  signal?: AbortSignal;
}

export interface RunningWorker {
  readonly stats: PipelineCounters;
  /** How results and offsets are committed; at-least-once also when exactly-once was asked for and the broker refused it. */
  readonly delivery: DeliveryMode;
  /** Resolves when the worker stopped; rejects when it failed for good (e.g. bad credentials). */
  readonly done: Promise<void>;
  /** Graceful: stops taking messages, finishes those in flight, commits, flushes the producer. */
  stop(): Promise<void>;
}

export function formatMetrics(metrics: WorkerMetrics): string {
  return (
    `worker: ${metrics.perSecond.toFixed(1)} readings/s, scored ${metrics.scored}, anomalies ${metrics.anomalies}, ` +
    `rejected ${metrics.rejected}, in flight ${metrics.inFlight}, lag ${metrics.lag ?? 'unknown'}, partitions ${metrics.partitions}`
  );
}

/** Starts a scoring worker: a consumer-group member that scores `inTopic` into `outTopic` (+ anomalies). */
export async function startWorker(config: WorkerConfig, hooks: WorkerHooks): Promise<RunningWorker> {
  const log = hooks.log ?? (() => undefined);
  const client = hooks.client ?? createKafkaClient({ clientId: 'stream-smarts-worker', ...config.broker }, { logger: { error: log, warn: log, info: () => undefined, debug: () => undefined } });
  const registry = config.registryUrl ? new RegistryClient({ url: config.registryUrl }) : undefined;
  const codec = new ValueCodec(registry ? { registry } : {});
  const maxInFlight = config.maxInFlight ?? 4096;
  // The producer sends one request at a time, so a batch may hold much of what is in flight; the
  // buffer holds a scored record and an anomaly (or dead letter) for every message in flight.
  const producer = new BufferedProducer(client.producerTransport(), { maxBatch: 2000, maxCount: Math.max(defaultBufferBounds.maxCount, 2 * maxInFlight) });
  let partitions = 0;
  let stopping: Promise<void> | undefined;
  let fail: (error: Error) => void = () => undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    fail = reject;
  });

  const stopController = new AbortController();
  const transactionalId = transactionalIdOf(config.groupId, config.instanceId);
  const stateTopic = config.stateTopic === false ? null : (config.stateTopic ?? defaultChangelogTopic(config.groupId));
  const output =
    config.exactlyOnce === false
      ? null
      : new TransactionalOutput(client.transactionTransport({ transactionalId, consumerGroupId: config.groupId }), {
          onRetry: (error, attempt) => log(`worker: transaction failed (${error.message}); retry ${attempt + 1}, nothing committed meanwhile`),
          ...(stateTopic ? { compactedTopics: [stateTopic] } : {}),
          onFatal: (error) => {
            log(`worker: transactional id ${transactionalId} can no longer commit (${error.message}); stopping, what is unfinished stays uncommitted`);
            void shutdown().then(() => fail(error));
          },
        });
  const delivery = await chooseDelivery(output, { transactionalId, log, signal: hooks.signal });
  const transaction = delivery.mode === 'exactly-once' ? output : null;
  const changelog = stateTopic && hooks.scorer.snapshot ? new ChangelogStore(client.kafkajs, { topic: stateTopic, inputTopic: config.inTopic }) : null;
  const seriesState = changelog ? new WorkerSeriesState(changelog, hooks.scorer, stopController.signal, log, transaction ? client.kafkajs : undefined) : null;
  let lastRetryLog = 0;
  const pipeline = new ScoringPipeline({
    decode: (bytes) => codec.decode(bytes, 'auto'),
    scorer: hooks.scorer,
    sink: producer,
    outTopic: config.outTopic,
    anomaliesTopic: config.anomaliesTopic,
    ...(seriesState ? { state: seriesState } : {}),
    ...(transaction ? { transaction } : {}),
    deadLetters: config.deadLettersTopic
      ? { topic: config.deadLettersTopic, send: (record) => (transaction ? stageDeadLetter(transaction, record, log) : producer.send(record)) }
      : undefined,
    onRejected: (message, error) =>
      log(`${config.deadLettersTopic ? `dead-lettered to ${config.deadLettersTopic}` : 'skipped'} ${message.topic}[${message.partition}]@${message.offset}: ${error.message}`),
    onDecodeRetry: (message, error, attempt, delayMs) => {
      if (Date.now() - lastRetryLog < 5000) return;
      lastRetryLog = Date.now();
      log(`worker: waiting to decode ${message.topic}[${message.partition}]@${message.offset} (retry ${attempt + 1} in ${delayMs} ms, nothing committed past it): ${error.message}`);
    },
    onDeadLetterFailed: (message, error) => log(`dead-letter topic ${config.deadLettersTopic}: ${message.topic}[${message.partition}]@${message.offset} not taken: ${error.message}`),
    onUnsent: (message, error) => {
      log(`could not produce the result of ${message.topic}[${message.partition}]@${message.offset} (left uncommitted): ${error.message}`);
      void worker.stop();
    },
  });

  const consumer = new GroupConsumer(client, {
    groupId: config.groupId,
    topics: [config.inTopic],
    fromBeginning: config.fromBeginning ?? false,
    maxInFlight,
    handleBatch: pipeline.handleBatch,
    ...(transaction ? { commitOffsets: (points) => transaction.commitOffsets(points) } : {}),
    logger: { error: log, warn: log, info: () => undefined, debug: () => undefined },
    onEvent: (event: ConsumerEvent) => {
      if (event.type === 'joined') {
        partitions = event.partitions;
        transaction?.rebalanced(event.generation);
        seriesState?.assigned();
        log(`worker: joined group ${config.groupId} with ${event.partitions} partition(s) of ${config.inTopic}`);
        hooks.onJoined?.(event.partitions);
      } else if (event.type === 'disconnected') log(`worker: disconnected${event.error ? `: ${event.error.message}` : ''}; reconnecting`);
      else if (event.type === 'failed') {
        log(`worker: consumer failed: ${event.error.message}`);
        void shutdown().then(() => fail(event.error as KafkaError));
      }
    },
  });

  let metricsTimer: NodeJS.Timeout | undefined;
  if (config.metricsIntervalMs && hooks.onMetrics) {
    let last = { at: Date.now(), scored: 0 };
    metricsTimer = setInterval(() => {
      const stats = pipeline.stats;
      const now = Date.now();
      const perSecond = ((stats.scored - last.scored) * 1000) / Math.max(1, now - last.at);
      last = { at: now, scored: stats.scored };
      groupLag(client, config.groupId, config.inTopic)
        .catch(() => null)
        .then((lag) => hooks.onMetrics?.({ ...stats, perSecond, lag, partitions }));
    }, config.metricsIntervalMs);
    metricsTimer.unref();
  }

  const stopTimeoutMs = config.stopTimeoutMs ?? 10_000;
  async function shutdown(): Promise<void> {
    stopping ??= boundedStop(stopTimeoutMs, log, async () => {
      if (metricsTimer) clearInterval(metricsTimer);
      stopController.abort();
      consumer.pause();
      pipeline.close();
      await pipeline.idle();
      await consumer.stop();
      await pipeline.idle();
      await transaction?.close(AbortSignal.timeout(stopTimeoutMs));
      await producer.close();
      await changelog?.close();
      await hooks.scorer.close?.();
    });
    return stopping;
  }

  const worker: RunningWorker = {
    get stats() {
      return pipeline.stats;
    },
    delivery: delivery.mode,
    done,
    async stop() {
      await shutdown();
      finished();
    },
  };

  const signal = hooks.signal;
  const onAbort = () => void worker.stop();
  if (signal?.aborted) {
    await worker.stop();
    return worker;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  void done.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
  try {
    // The idempotent producer's set-up overlaps joining the group; connect() never throws. A stop
    // (the signal) ends the consumer's connection retries, so start returns then too.
    const starting = Promise.all([transaction ? Promise.resolve() : producer.connect(), consumer.start()]);
    starting.catch(() => undefined);
    await Promise.race([starting, stopped(signal)]);
  } catch (error) {
    await shutdown();
    throw error;
  }
  return worker;
}

/** Exactly-once dead letter: staged with the offset it came from (its x-source-* headers); accepted at once, committed with that offset. */
function stageDeadLetter(transaction: TransactionalOutput, record: ProduceRecord, log: (line: string) => void): Promise<Delivery> {
  const headers = record.headers ?? {};
  const origin = { topic: String(headers['x-source-topic']), partition: Number(String(headers['x-source-partition'])), offset: String(headers['x-source-offset']) };
  transaction.stage(origin, [record]).catch((error: unknown) => log(`worker: dead letter of ${origin.topic}[${origin.partition}]@${origin.offset} not committed: ${String(error)}`));
  return Promise.resolve({ topic: record.topic, partition: -1, offset: '-1' });
}

/** Resolves when the signal aborts (never without one). */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
}

/** Runs `stop`, giving up waiting after `timeoutMs` (a broker that does not answer must not hold the process). */
async function boundedStop(timeoutMs: number, log: (line: string) => void, stop: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const outcome = await Promise.race([stop().then(() => 'done' as const, (error: unknown) => (log(`worker: stop: ${String(error)}`), 'done' as const)), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') log(`worker: stop did not finish within ${timeoutMs} ms (broker unreachable?); what is unfinished stays uncommitted`);
}
