import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaClient, type KafkaClient } from '../../../core/kafka/client';
import { helper, loadNodeModules, type FlowNode, type HelperNode, type NodeModule } from '../../support/node-red-helper';
import { stackInfo } from '../../support/stack';
import { waitFor } from '../../support/wait';

export { waitFor };

/** Shared helpers of the Kafka integration and node tests (not a test file itself). */

const run = promisify(execFile);
/** The checkout holding scripts/stack (the compiled tests may live in a private build directory). */
const repoRoot =
  [join(__dirname, '..', '..', '..', '..'), process.env.STREAM_SMARTS_REPO, process.cwd()].find(
    (candidate): candidate is string => candidate !== undefined && existsSync(join(candidate, 'scripts', 'stack', 'kafka.sh')),
  ) ?? process.cwd();

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function brokers(): string[] {
  return stackInfo().kafka.brokers;
}

export function testClient(brokerList: string[] = brokers()): KafkaClient {
  return createKafkaClient({ brokers: brokerList, clientId: 'stream-smarts-test' });
}

export async function createTopic(topic: string, partitions = 1, brokerList: string[] = brokers()): Promise<void> {
  await testClient(brokerList).createTopic(topic, partitions);
}

export interface RawRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a plain kafkajs consumer (independent of the code under
 * test) until `count` records arrived or `timeoutMs` passed.
 */
export async function readTopic(topic: string, count: number, timeoutMs = 20000, brokerList: string[] = brokers()): Promise<RawRecord[]> {
  return readRecords(topic, { count, timeoutMs, brokerList });
}

/**
 * Every record of a topic, duplicates included, read committed: at least `atLeast`, then until
 * none has come for `quietMs`. For a topic written in transactions, whose end offsets also count
 * the commit markers.
 */
export async function readTopicUntilQuiet(topic: string, atLeast: number, options: { quietMs?: number; timeoutMs?: number; brokerList?: string[] } = {}): Promise<RawRecord[]> {
  return readRecords(topic, { count: atLeast, timeoutMs: options.timeoutMs ?? 120_000, brokerList: options.brokerList ?? brokers(), quietMs: options.quietMs ?? 5000 });
}

async function readRecords(topic: string, options: { count: number; timeoutMs: number; brokerList: string[]; quietMs?: number }): Promise<RawRecord[]> {
  const kafka = new Kafka({ brokers: options.brokerList, clientId: 'stream-smarts-test-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const records: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, options.timeoutMs);
      let quiet: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(deadline);
        clearTimeout(quiet);
        resolve();
      };
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers });
          if (records.length < options.count) return;
          if (options.quietMs === undefined) done();
          else {
            clearTimeout(quiet);
            quiet = setTimeout(done, options.quietMs);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Each partition's low and high offset: equal when nothing was ever produced to it. */
export async function topicOffsets(topic: string, brokerList: string[] = brokers()): Promise<{ partition: number; low: string; high: string }[]> {
  const kafka = new Kafka({ brokers: brokerList, clientId: 'stream-smarts-test-admin', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high }));
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic, by partition. */
export async function committedOffsets(groupId: string, topic: string, brokerList: string[] = brokers()): Promise<Map<number, string>> {
  const kafka = new Kafka({ brokers: brokerList, clientId: 'stream-smarts-test-admin', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((entry) => [entry.partition, entry.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** Polls the group's committed offset of partition 0 until it is `expected` (or the time is up). */
export async function committedReaches(groupId: string, topic: string, expected: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let committed: string | undefined;
  while (Date.now() < deadline) {
    committed = (await committedOffsets(groupId, topic)).get(0);
    if (committed === expected) return committed;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return committed;
}

/** Runs scripts/stack/<service>.sh start|stop for a private instance (its own STACK_DIR and ports). */
async function stackScript(service: 'kafka' | 'registry', action: 'start' | 'stop', env: Record<string, string>): Promise<void> {
  await run('bash', [join(repoRoot, 'scripts', 'stack', `${service}.sh`), action], { env: { ...process.env, ...env, QUIET: '1' }, timeout: 180_000 });
}

/** A Kafka of the test's own (scripts/stack/kafka.sh on other ports), which the test may stop and restart. */
export class PrivateKafka {
  readonly dir = mkdtempSync(join(tmpdir(), 'smarts-kafka-'));
  constructor(
    readonly port = 19092,
    readonly controllerPort = 19093,
    readonly saslPort = 19094,
    /** The port the broker tells clients to use (a proxy in front of `port`); default `port`. */
    readonly advertisedPort = port,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.advertisedPort}`];
  }

  async start(): Promise<void> {
    await this.script('start');
  }

  async stop(): Promise<void> {
    await this.script('stop');
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async script(action: 'start' | 'stop'): Promise<void> {
    await stackScript('kafka', action, {
      STACK_DIR: this.dir,
      KAFKA_PORT: String(this.port),
      KAFKA_ADVERTISED_PORT: String(this.advertisedPort),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_SASL_PORT: String(this.saslPort),
    });
  }
}

/**
 * An Apicurio Registry of the test's own (scripts/stack/registry.sh), which the test may stop and
 * restart: in memory, or with `kafkasql` its schemas kept in a topic of the given broker.
 */
export class PrivateRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'smarts-registry-'));
  constructor(
    readonly port = 18081,
    readonly kafkasql?: { broker: string; topic: string },
  ) {}

  private get env(): Record<string, string> {
    const storage: Record<string, string> = this.kafkasql
      ? { REGISTRY_STORAGE: 'kafkasql', REGISTRY_KAFKA: this.kafkasql.broker, REGISTRY_TOPIC: this.kafkasql.topic }
      : { REGISTRY_STORAGE: 'mem' };
    return { STACK_DIR: this.dir, REGISTRY_PORT: String(this.port), ...storage };
  }

  /** The Confluent-compatible API. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/apis/ccompat/v7`;
  }

  async start(): Promise<void> {
    await stackScript('registry', 'start', this.env);
  }

  async stop(): Promise<void> {
    await stackScript('registry', 'stop', this.env);
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- Node-RED test helper -------------------------------------------------------------------

export { helper, type FlowNode, type HelperNode } from '../../support/node-red-helper';

export function kafkaNodeModules(): NodeModule[] {
  return loadNodeModules('smarts-kafka-broker', 'smarts-kafka-out', 'smarts-kafka-in');
}

/** Puts the flow's nodes on one tab (catch and link nodes need one); config nodes stay global. */
export function onTab(nodes: FlowNode[]): FlowNode[] {
  // Nodes without x/y would be taken for config nodes of the tab.
  return [{ id: 'tab', type: 'tab', label: 'test' }, ...nodes.map((node) => (node.type === 'smarts-kafka-broker' ? node : { z: 'tab', x: 100, y: 100, ...node }))];
}

/** Node-RED core nodes the tests wire around the Kafka nodes. */
export function coreNodeModules(): NodeModule[] {
  const core = join(require.resolve('@node-red/nodes/package.json'), '..', 'core');
  return [
    'common/25-catch.js',
    'common/24-complete.js',
    'common/21-debug.js',
    'common/60-link.js',
    'function/10-function.js',
    'function/10-switch.js',
    'function/15-change.js',
    'function/80-template.js',
    'function/89-delay.js',
    'function/rbe.js',
    'sequence/17-split.js',
    // eslint-disable-next-line @typescript-eslint/no-require-imports
  ].map((file) => require(join(core, file)) as NodeModule);
}

/** The Kafka nodes and the core nodes, ready for helper.load. */
export function testNodeModules(): NodeModule[] {
  return [...kafkaNodeModules(), ...coreNodeModules()];
}

/** Collects statuses set on a node. */
export function statuses(node: HelperNode): { text?: string; fill?: string }[] {
  const seen: { text?: string; fill?: string }[] = [];
  node.on('call:status', (call: never) => seen.push((call as { args: [{ text?: string; fill?: string }] }).args[0]));
  return seen;
}

export function readFileText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A broker config node for the shared stack's plaintext listener, with a registry if asked. */
export function brokerNode(extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'broker', type: 'smarts-kafka-broker', brokers: brokers().join(','), saslMechanism: 'none', logLevel: 'error', ...extra };
}

/** Messages arriving at a helper node. */
export function collect(id: string): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  helper.getNode(id).on('input', (msg: never) => messages.push(msg));
  return messages;
}

/**
 * A sink that finishes each message (a function node returning nothing), so the consumer's
 * flow-completion tracking sees the flow end there. A bare helper node never calls done().
 */
export function sink(id: string): FlowNode {
  return { id, type: 'function', func: 'return null;', outputs: 1, wires: [[]] };
}
