import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import type { ScoredReading } from '../../../core/reading';
import { createModelScorer } from '../../../core/worker/model-scorer';
import { startWorker } from '../../../core/worker/worker';
import { projectRoot, stackInfo } from '../../support/stack';
import { committedReaches, createTopic, readTopic, testClient, uniqueName } from '../kafka/support';

describe('stream-smarts worker with a dead-letter topic', { timeout: 180_000 }, () => {
  const inTopic = uniqueName('it-worker-dlq-in');
  const outTopic = uniqueName('it-worker-dlq-scored');
  const deadLettersTopic = uniqueName('it-worker-dlq');
  const groupId = uniqueName('group-worker-dlq');
  const lines: string[] = [];
  after(async () => {
    const admin = testClient().kafkajs.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [inTopic, outTopic, deadLettersTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('sends malformed Avro, bytes that are not JSON and records that are not readings there with their headers, and scores the good ones after them', async () => {
    for (const topic of [inTopic, outTopic, deadLettersTopic]) await createTopic(topic, 1);
    const good = (hour: number) => ({ entity_id: 'sensor.dlq', ts: Date.UTC(2026, 0, 2, hour), value: 200 + hour, unit: 'Wh', kind: 'energy' as const, hour, interval_s: 3600 });
    const codec = new ValueCodec();
    const avro = await codec.encode('avro', inTopic, good(1));
    const malformedAvro = Buffer.concat([avro.subarray(0, 10), Buffer.from([0xff, 0xff, 0xff])]);
    const values = [avro, malformedAvro, Buffer.from('{not json'), Buffer.from(JSON.stringify({ entity_id: 'sensor.dlq', value: 'high' })), Buffer.from(JSON.stringify(good(2)))];
    const producer = testClient().producerTransport();
    await producer.connect();
    await producer.send(values.map((value) => ({ topic: inTopic, key: 'sensor.dlq', value, headers: { origin: 'dead-letter test' } })));
    await producer.disconnect();

    const worker = await startWorker(
      { broker: { brokers: stackInfo().kafka.brokers }, inTopic, outTopic, deadLettersTopic, groupId, fromBeginning: true },
      { scorer: createModelScorer({ modelDir: join(projectRoot(), 'models') }), log: (line) => lines.push(line) },
    );
    try {
      const scored = (await readTopic(outTopic, 2, 60_000)).map((record) => JSON.parse(record.value.toString('utf8')) as ScoredReading);
      assert.deepEqual(scored.map((reading) => reading.ts), [good(1).ts, good(2).ts], lines.join('\n'));
      assert.ok(scored.every((reading) => typeof reading.score === 'number'));
      const dead = await readTopic(deadLettersTopic, 3, 60_000);
      assert.deepEqual(dead.map((record) => record.value.toString('hex')), values.slice(1, 4).map((value) => value.toString('hex')));
      assert.deepEqual(dead.map((record) => record.headers['x-source-offset']), ['1', '2', '3']);
      for (const record of dead) {
        assert.equal(record.key, 'sensor.dlq');
        assert.equal(record.headers['x-source-topic'], inTopic);
        assert.equal(record.headers['x-source-partition'], '0');
        assert.equal(record.headers.origin, 'dead-letter test');
        assert.ok((record.headers['x-error'] ?? '').length > 0);
      }
      assert.match(dead[2]?.headers['x-error'] ?? '', /'ts' must be a finite number/);
      assert.equal(await committedReaches(groupId, inTopic, '5', 30_000), '5');
    } finally {
      await worker.stop();
    }
    assert.equal(worker.stats.rejected, 3);
    assert.equal(worker.stats.scored, 2);
  });
});
