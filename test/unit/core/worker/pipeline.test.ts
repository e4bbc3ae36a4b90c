import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ValueCodec } from '../../../../core/avro/codec';
import type { ConsumedMessage, Delivery, InFlightMessage, ProduceRecord } from '../../../../core/kafka/types';
import type { Reading, ScoredReading } from '../../../../core/reading';
import { createModelScorer } from '../../../../core/worker/model-scorer';
import { ScoringPipeline } from '../../../../core/worker/pipeline';
import { modelsDir } from '../anomaly/fixtures';
import type { ReadingScorer } from '../../../../core/worker/scorer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function message(offset: number, reading: unknown, partition = 0): ConsumedMessage {
  const key = typeof reading === 'object' && reading && 'entity_id' in reading ? String(reading.entity_id) : null;
  return {
    topic: 'in',
    partition,
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(typeof reading === 'string' ? reading : JSON.stringify(reading)),
    headers: {},
    timestamp: String(Date.now()),
  };
}

function reading(entity: string, i: number, value = 1): Reading {
  return { entity_id: entity, ts: 1_700_000_000_000 + i * 3_600_000, value, unit: 'kWh', kind: 'energy', hour: i % 24 };
}

/** Scores value > 5 as anomalous; the first readings of a series take longest, to tempt reordering. */
function slowScorer(): ReadingScorer & { seen: Reading[] } {
  const seen: Reading[] = [];
  return {
    seen,
    async score(input) {
      seen.push(input);
      await sleep(Math.max(0, 12 - (input.ts % 86_400_000) / 3_600_000));
      const score = input.value / 5;
      return { ...input, score, anomaly_score: Math.min(1, score / 2), anomaly: score > 1, expected: 1, model: 'test' } satisfies ScoredReading;
    },
  };
}

function recordingSink(fail?: (record: ProduceRecord) => boolean) {
  const records: ProduceRecord[] = [];
  return {
    records,
    async sendAll(batch: readonly ProduceRecord[]): Promise<Delivery[]> {
      await sleep(1);
      if (batch.some((record) => fail?.(record))) throw new Error('producer is closed');
      return batch.map((record) => {
        records.push(record);
        return { topic: record.topic, partition: 0, offset: String(records.length - 1) };
      });
    },
  };
}

const codec = new ValueCodec();
const decode = (bytes: Buffer) => codec.decode(bytes, 'auto');
/** Hands messages to the pipeline as the consumer does, one batch. */
function consume(pipeline: ScoringPipeline, messages: Array<[ConsumedMessage, () => void]>): void {
  pipeline.handleBatch(messages.map(([message, finish]): InFlightMessage => ({ message, finish })));
}
const parsed = (record: ProduceRecord) => JSON.parse(String(record.value)) as ScoredReading;

describe('scoring pipeline', () => {
  it('scores every message once and keeps each meter in order, finishing only after delivery', async () => {
    const sink = recordingSink();
    const scorer = slowScorer();
    const pipeline = new ScoringPipeline({ decode, scorer, sink, outTopic: 'scored' });
    const finished: string[] = [];
    const batch: Array<[ConsumedMessage, () => void]> = [];
    let offset = 0;
    for (let i = 0; i < 12; i += 1) {
      for (const entity of ['sensor.a', 'sensor.b', 'sensor.c']) {
        const current = offset++;
        batch.push([
          message(current, reading(entity, i)),
          () => {
            assert.ok(sink.records.some((r) => parsed(r).entity_id === entity && parsed(r).ts === reading(entity, i).ts), 'finished before delivery');
            finished.push(String(current));
          },
        ]);
      }
    }
    consume(pipeline, batch.slice(0, 20));
    consume(pipeline, batch.slice(20));
    await pipeline.idle();
    assert.equal(finished.length, 36);
    assert.equal(new Set(finished).size, 36);
    assert.equal(sink.records.length, 36);
    for (const entity of ['sensor.a', 'sensor.b', 'sensor.c']) {
      const order = sink.records.map(parsed).filter((r) => r.entity_id === entity).map((r) => r.ts);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${entity} out of order`);
      assert.equal(order.length, 12);
    }
    assert.ok(sink.records.every((r) => r.topic === 'scored' && String(r.key) === parsed(r).entity_id));
    assert.deepEqual(pipeline.stats, { consumed: 36, scored: 36, anomalies: 0, rejected: 0, unsent: 0, inFlight: 0 });
  });

  it('sends anomalies as JSON records to the anomalies topic as well', async () => {
    const sink = recordingSink();
    const pipeline = new ScoringPipeline({ decode, scorer: slowScorer(), sink, outTopic: 'scored', anomaliesTopic: 'anomaly_power' });
    consume(pipeline, [
      [message(0, reading('sensor.a', 3, 2)), () => undefined],
      [message(1, reading('sensor.a', 4, 11)), () => undefined],
    ]);
    await pipeline.idle();
    const anomalies = sink.records.filter((r) => r.topic === 'anomaly_power').map(parsed);
    assert.equal(anomalies.length, 1);
    const [anomaly] = anomalies;
    assert.deepEqual(Object.keys(anomaly!), ['entity_id', 'ts', 'hour', 'value', 'unit', 'kind', 'score', 'anomaly_score', 'expected', 'model']);
    assert.equal(anomaly!.value, 11);
    assert.equal(anomaly!.score, 11 / 5);
    assert.equal(sink.records.filter((r) => r.topic === 'scored').length, 2);
    assert.equal(pipeline.stats.anomalies, 1);
  });

  it('dead-letters and commits past a message that is not a reading or could not be scored, and goes on', async () => {
    const sink = recordingSink();
    const rejected: string[] = [];
    const deadLetters: ProduceRecord[] = [];
    const scorer = slowScorer();
    const refusing: ReadingScorer = { score: (input) => (input.value === 13 ? Promise.reject(new Error('no model')) : scorer.score(input)) };
    const pipeline = new ScoringPipeline({
      decode,
      scorer: refusing,
      sink,
      outTopic: 'scored',
      deadLetters: { topic: 'dlq', send: async (record) => (deadLetters.push(record), { topic: 'dlq', partition: 0, offset: '0' }) },
      onRejected: (m, e) => rejected.push(`${m.offset}: ${e.message}`),
    });
    let finishedCount = 0;
    consume(pipeline, [
      [message(0, '{not json'), () => finishedCount++],
      [message(1, { entity_id: 'sensor.a', ts: 1, value: 'x' }), () => finishedCount++],
      [message(2, reading('sensor.a', 1, 13)), () => finishedCount++],
      [message(3, reading('sensor.a', 2)), () => finishedCount++],
    ]);
    await pipeline.idle();
    assert.equal(finishedCount, 4);
    assert.equal(rejected.length, 3);
    assert.match(rejected[1]!, /^1: 'value' must be a finite number/);
    assert.equal(rejected[2], '2: no model');
    assert.deepEqual(deadLetters.map((record) => [record.headers?.['x-source-offset'], record.headers?.['x-error']]), [
      ['0', rejected[0]!.slice(3)],
      ['1', rejected[1]!.slice(3)],
      ['2', 'no model'],
    ]);
    assert.equal(sink.records.length, 1);
    assert.equal(pipeline.stats.rejected, 3);
  });

  it('dead-letters a reading whose series model is for another kind (docs/bad-input.md #34), and scores the other series', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smarts-worker-kind-'));
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
    const scorer = createModelScorer({ modelDir: dir, seriesModels: { 'sensor.water': 'default' } });
    try {
      const sink = recordingSink();
      const deadLetters: ProduceRecord[] = [];
      const pipeline = new ScoringPipeline({
        decode,
        scorer,
        sink,
        outTopic: 'scored',
        deadLetters: { topic: 'dlq', send: async (record) => (deadLetters.push(record), { topic: 'dlq', partition: 0, offset: '0' }) },
      });
      consume(pipeline, [
        [message(0, { ...reading('sensor.water', 1, 40), unit: 'L', kind: 'water' }), () => undefined],
        [message(1, reading('sensor.a', 1)), () => undefined],
      ]);
      await pipeline.idle();
      assert.deepEqual(deadLetters.map((record) => record.headers?.['x-source-offset']), ['0']);
      assert.match(String(deadLetters[0]?.headers?.['x-error']), /^the default model is for energy and power, not water readings \(.*default\)$/);
      assert.deepEqual(sink.records.map((record) => parsed(record).entity_id), ['sensor.a']);
      assert.equal(pipeline.stats.rejected, 1);
    } finally {
      await scorer.close?.();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scores a run of a series at once when the scorer can', async () => {
    const sink = recordingSink();
    const runs: number[] = [];
    const single = slowScorer();
    const scorer: ReadingScorer = {
      score: () => Promise.reject(new Error('one at a time')),
      scoreRun: async (readings) => {
        runs.push(readings.length);
        return Promise.all(readings.map((input) => single.score(input)));
      },
    };
    const pipeline = new ScoringPipeline({ decode, scorer, sink, outTopic: 'scored' });
    consume(pipeline, Array.from({ length: 6 }, (_, i): [ConsumedMessage, () => void] => [message(i, reading(`sensor.${i % 2}`, i)), () => undefined]));
    await pipeline.idle();
    assert.deepEqual(runs, [3, 3]);
    assert.equal(pipeline.stats.scored, 6);
  });

  it('leaves a message uncommitted when its result could not be produced', async () => {
    const sink = recordingSink((record) => parsed(record).value === 7);
    const unsent: string[] = [];
    const pipeline = new ScoringPipeline({ decode, scorer: slowScorer(), sink, outTopic: 'scored', onUnsent: (m) => unsent.push(m.offset) });
    const finished: string[] = [];
    consume(pipeline, [[message(0, reading('sensor.a', 1, 7)), () => finished.push('0')]]);
    await sleep(20);
    consume(pipeline, [[message(1, reading('sensor.a', 2, 1)), () => finished.push('1')]]);
    await pipeline.idle();
    assert.deepEqual(unsent, ['0']);
    assert.deepEqual(finished, ['1']);
    assert.equal(pipeline.stats.unsent, 1);
  });
});
