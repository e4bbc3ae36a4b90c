import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ValueCodec } from '../../../../core/avro/codec';
import type { ConsumedMessage, InFlightMessage, ProduceRecord } from '../../../../core/kafka/types';
import type { Reading, ScoredReading } from '../../../../core/reading';
import { ScoringPipeline, type TransactionalSink } from '../../../../core/worker/pipeline';
import type { ReadingScorer } from '../../../../core/worker/scorer';

const codec = new ValueCodec();
const decode = (bytes: Buffer) => codec.decode(bytes, 'auto');

function message(offset: number, entity: string, value: number): ConsumedMessage {
  const reading: Reading = { entity_id: entity, ts: 1_700_000_000_000 + offset * 3_600_000, value, unit: 'kWh', kind: 'energy', hour: offset % 24 };
  return { topic: 'in', partition: 2, offset: String(offset), key: Buffer.from(entity), value: Buffer.from(JSON.stringify(reading)), headers: {}, timestamp: String(Date.now()), generation: 1 };
}

const scorer: ReadingScorer = {
  async score(input) {
    return { ...input, score: input.value, anomaly_score: 0, anomaly: input.value > 5, expected: 1, model: 'test' } satisfies ScoredReading;
  },
};

/** Records each stage with what had been finished at that moment; commits when told. */
function stagingSink() {
  const stages: { origin: ConsumedMessage; records: ProduceRecord[] }[] = [];
  const commits: (() => void)[] = [];
  const sink: TransactionalSink = {
    stage(origin, records) {
      stages.push({ origin, records: [...records] });
      return new Promise((resolve) => commits.push(resolve));
    },
  };
  return { sink, stages, commitAll: () => commits.splice(0).forEach((commit) => commit()) };
}

describe('scoring pipeline, exactly-once', () => {
  it('stages a run\'s results, anomaly and checkpoint with its last message, then finishes the messages; counts them once committed', async () => {
    const { sink, stages, commitAll } = stagingSink();
    const finished: string[] = [];
    const checkpointed: string[] = [];
    const pipeline = new ScoringPipeline({
      decode,
      scorer,
      sink: { sendAll: () => Promise.reject(new Error('the at-least-once sink must not be used')) },
      outTopic: 'scored',
      anomaliesTopic: 'anomalies',
      transaction: sink,
      state: {
        prepare: async () => undefined,
        checkpoint: () => Promise.reject(new Error('the at-least-once checkpoint must not be used')),
        checkpointRecord: (partition, entityId) => {
          checkpointed.push(`${entityId}@${partition}`);
          return { topic: 'changelog', partition, key: entityId, value: Buffer.from('state') };
        },
      },
    });
    const items: InFlightMessage[] = [message(10, 'sensor.a', 1), message(11, 'sensor.a', 9)].map((m) => ({ message: m, finish: () => finished.push(m.offset) }));
    pipeline.handleBatch(items);
    await pipeline.idle();
    assert.deepEqual(finished, ['10', '11'], 'finished once staged (their offsets go into the transaction)');
    assert.equal(stages.length, 1);
    assert.equal(stages[0]?.origin.offset, '11');
    assert.deepEqual(
      stages[0]?.records.map((r) => `${r.topic}${r.partition === undefined ? '' : `[${r.partition}]`}`),
      ['scored', 'scored', 'anomalies', 'changelog[2]'],
    );
    assert.deepEqual(checkpointed, ['sensor.a@2']);
    assert.equal(pipeline.stats.scored, 0, 'not counted before the transaction committed');
    commitAll();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pipeline.stats.scored, 2);
    assert.equal(pipeline.stats.anomalies, 1);
  });
});
