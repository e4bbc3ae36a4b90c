import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ValueCodec } from '../../../../core/avro/codec';
import { isRetriable } from '../../../../core/errors';
import type { ProduceRecord } from '../../../../core/kafka/types';
import { StreamPipeline, type DecodedMessage } from '../../../../core/stream/pipeline';
import { consumed, inFlight, registryCodec, switchableRegistry } from './fixtures';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fastRetry = { initialMs: 5, maxMs: 20 };
const reading = (entity: string, n: number) => ({ entity_id: entity, ts: 1_700_000_000_000 + n * 3_600_000, value: n, unit: 'Wh', kind: 'energy' as const, hour: n % 24 });

describe('stream pipeline', () => {
  it('hands each series its messages in order, in runs, and commits what the handler finished', async () => {
    const codec = new ValueCodec();
    const runs: DecodedMessage[][] = [];
    const pipeline = new StreamPipeline({
      decode: (bytes) => codec.decode(bytes),
      handle: async (run) => {
        runs.push(run);
        await sleep(1);
        for (const item of run) item.finish();
      },
    });
    const messages = Array.from({ length: 30 }, (_, n) => consumed(n, JSON.stringify(reading(`sensor.${n % 3}`, n)), `sensor.${n % 3}`));
    const { items, finished } = inFlight(messages);
    pipeline.handleBatch(items.slice(0, 20));
    pipeline.handleBatch(items.slice(20));
    await pipeline.idle();
    assert.equal(finished.length, 30);
    for (const entity of ['sensor.0', 'sensor.1', 'sensor.2']) {
      const values = runs.flat().filter((item) => item.message.key?.toString() === entity).map((item) => (item.decoded.value as { value: number }).value);
      assert.deepEqual(values, [...values].sort((a, b) => a - b));
      assert.equal(values.length, 10);
    }
    assert.ok(runs.length < 30, 'messages of a series consumed together are handled together');
    assert.deepEqual(pipeline.stats, { consumed: 30, rejected: 0, inFlight: 0 });
  });

  it('while the registry is unreachable a message waits (nothing finished past it, its series held back), then goes on', async () => {
    const registry = switchableRegistry();
    const writer = registryCodec(registry);
    const avro = await Promise.all([1, 2, 3].map((n) => writer.encode('avro', 'in', reading('sensor.a', n))));
    registry.down = true;
    const retries: string[] = [];
    const handled: string[] = [];
    const pipeline = new StreamPipeline({
      decode: (bytes) => registryCodec(registry).decode(bytes),
      handle: (run) => {
        for (const item of run) {
          handled.push(item.message.offset);
          item.finish();
        }
      },
      onDecodeRetry: (message, error) => {
        assert.ok(isRetriable(error));
        retries.push(`${message.offset}: ${error.message}`);
      },
      onRejected: (message) => assert.fail(`${message.offset} rejected`),
      retry: fastRetry,
    });
    const { items, finished } = inFlight([
      consumed(0, avro[0] as Buffer, 'sensor.a'),
      consumed(1, JSON.stringify(reading('sensor.b', 1)), 'sensor.b'),
      consumed(2, avro[1] as Buffer, 'sensor.a'),
      consumed(3, avro[2] as Buffer, 'sensor.a'),
    ]);
    pipeline.handleBatch(items);
    await sleep(100);
    assert.deepEqual(handled, ['1'], 'only the other series went on');
    assert.deepEqual(finished, ['1']);
    assert.ok(retries.length >= 2 && retries.every((line) => /^0: schema registry http:\/\/registry unreachable/.test(line)), retries.join('\n'));
    registry.down = false;
    await pipeline.idle();
    assert.deepEqual(handled, ['1', '0', '2', '3']);
    assert.deepEqual(finished.sort(), ['0', '1', '2', '3']);
  });

  it('sends what can never be decoded, and what the handler rejects, to the dead letters and commits past them once taken', async () => {
    const codec = new ValueCodec();
    const deadLetters: ProduceRecord[] = [];
    let release: () => void = () => undefined;
    const taken = new Promise<void>((resolve) => (release = resolve));
    const rejected: string[] = [];
    const handled: string[] = [];
    const pipeline = new StreamPipeline({
      decode: (bytes) => codec.decode(bytes, 'auto'),
      handle: (run) => {
        for (const item of run) {
          if ((item.decoded.value as { value?: unknown }).value === 'x') item.reject(new Error('not a reading'));
          else {
            handled.push(item.message.offset);
            item.finish();
          }
        }
      },
      deadLetters: {
        topic: 'in-dlq',
        send: async (record) => {
          deadLetters.push(record);
          await taken;
          return { topic: record.topic, partition: 0, offset: String(deadLetters.length - 1) };
        },
      },
      onRejected: (message, error) => rejected.push(`${message.offset}: ${error.message}`),
    });
    const { items, finished } = inFlight([
      consumed(0, Buffer.from([0xc3, 0x01, 1, 2])),
      consumed(1, '{not json'),
      consumed(2, JSON.stringify({ value: 'x' })),
      consumed(3, JSON.stringify(reading('sensor.a', 1))),
    ]);
    pipeline.handleBatch(items);
    await sleep(10);
    assert.deepEqual(handled, ['3']);
    assert.deepEqual(finished, ['3'], 'dead letters are committed past only once the topic took them');
    release();
    await pipeline.idle();
    assert.deepEqual(finished.sort(), ['0', '1', '2', '3']);
    assert.deepEqual(deadLetters.map((record) => record.headers?.['x-source-offset']), ['0', '1', '2']);
    assert.match(String(deadLetters[1]?.headers?.['x-error']), /neither Avro nor JSON/);
    assert.equal(deadLetters[2]?.headers?.['x-error'], 'not a reading');
    assert.equal(rejected.length, 3);
    assert.equal(pipeline.stats.rejected, 3);
  });

  it('a message left, or still waiting for the registry when closed, is never committed', async () => {
    const registry = switchableRegistry();
    const avro = await registryCodec(registry).encode('avro', 'in', reading('sensor.a', 1));
    registry.down = true;
    const pipeline = new StreamPipeline({
      decode: (bytes) => registryCodec(registry).decode(bytes),
      handle: (run) => run.forEach((item) => item.leave()),
      retry: fastRetry,
    });
    const { items, finished } = inFlight([consumed(0, avro, 'sensor.a'), consumed(1, JSON.stringify(reading('sensor.b', 1)), 'sensor.b')]);
    pipeline.handleBatch(items);
    await sleep(30);
    assert.equal(pipeline.stats.inFlight, 1);
    pipeline.close();
    await pipeline.idle();
    assert.deepEqual(finished, []);
    assert.equal(pipeline.stats.rejected, 0);
  });
});
