import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '../../../core/reading';
import { createModelScorer } from '../../../core/worker/model-scorer';
import { startWorker, type RunningWorker } from '../../../core/worker/worker';
import { projectRoot, stackInfo } from '../../support/stack';
import { registryOutage, type ConsumerUnderTest } from './registry-outage';
import { brokerNode, collect, createTopic, helper, onTab, PrivateRegistry, readTopic, sink, statuses, testNodeModules, uniqueName } from './support';

/** The consumer node, wired to a finishing sink, with a Catch for what it reports malformed. */
function consumerNode(): ConsumerUnderTest {
  let delivered: Record<string, unknown>[] = [];
  let errors: Record<string, unknown>[] = [];
  let seen: { text?: string }[] = [];
  return {
    name: 'node',
    async start({ topic, groupId, registryUrl }) {
      await helper.load(
        testNodeModules(),
        onTab([
          brokerNode({ registryUrl }),
          { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, groupId, fromBeginning: true, format: 'auto', wires: [['sink']] },
          sink('sink'),
          { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
          sink('errors'),
        ]),
      );
      seen = statuses(helper.getNode('in'));
      delivered = collect('sink');
      errors = collect('errors');
    },
    waiting: () => seen.some((status) => /^retrying decode: schema registry http/.test(status.text ?? '')),
    async delivered(atLeast, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (delivered.length < atLeast && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      return delivered.map((msg) => msg.payload as Reading);
    },
    rejected: () => errors.length,
    stop: () => helper.unload(),
  };
}

/** `stream-smarts worker` in this process, with the shipped models, scoring into a topic of its own. */
function worker(): ConsumerUnderTest {
  const outTopic = uniqueName('it-registry-outage-scored');
  const lines: string[] = [];
  let running: RunningWorker | undefined;
  return {
    name: 'worker',
    async start({ topic, groupId, registryUrl }) {
      await createTopic(outTopic, 1);
      running = await startWorker(
        { broker: { brokers: stackInfo().kafka.brokers }, inTopic: topic, outTopic, groupId, registryUrl, fromBeginning: true },
        { scorer: createModelScorer({ modelDir: join(projectRoot(), 'models') }), log: (line) => lines.push(line) },
      );
    },
    waiting: () => lines.some((line) => /waiting to decode .*schema registry http/.test(line)),
    async delivered(atLeast, timeoutMs) {
      const records = await readTopic(outTopic, atLeast, timeoutMs);
      return records.map((record) => JSON.parse(record.value.toString('utf8')) as Reading);
    },
    rejected: () => running?.stats.rejected ?? 0,
    stop: async () => running?.stop(),
  };
}

describe('while the schema registry is unreachable, nothing is committed past and nothing lost', { timeout: 600_000 }, () => {
  // A registry of the test's own, so that it can be stopped; the shared one keeps running. Its
  // schemas are kept in Kafka, as the stack's are: with in-memory storage a consumer retrying
  // just after the restart, before the schema is registered again, would be told the id does
  // not exist (a lasting error, rightly not retried).
  const registry = new PrivateRegistry(18000 + Math.floor(Math.random() * 900), {
    broker: stackInfo().kafka.brokers[0] as string,
    topic: uniqueName('it-registry-outage-journal'),
  });
  before(async () => {
    await registry.start();
  });
  after(async () => {
    await helper.unload();
    await registry.remove();
  });

  it('smarts-kafka-in waits ("retrying decode"), then delivers every reading once', { timeout: 280_000 }, () => registryOutage(consumerNode(), registry));
  it('stream-smarts worker waits (logs why), then scores every reading once', { timeout: 280_000 }, () => registryOutage(worker(), registry));
});
