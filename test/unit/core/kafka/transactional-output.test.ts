import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaError } from '../../../../core/kafka/errors';
import type { CommitPoint } from '../../../../core/kafka/offset-tracker';
import { isFatalTransactionError, TransactionalOutput, type TransactionTransport } from '../../../../core/kafka/transactional-output';
import type { ProduceRecord } from '../../../../core/kafka/types';

interface Commit {
  records: string[];
  offsets: CommitPoint[];
}

/** A transport that records each transaction; `failures` are thrown by the next commits, in order. */
function fakeTransport(failures: Error[] = []): TransactionTransport & { commits: Commit[]; disconnected: boolean } {
  const transport = {
    commits: [] as Commit[],
    disconnected: false,
    connect: async () => undefined,
    commit: async (records: readonly ProduceRecord[], offsets: readonly CommitPoint[]) => {
      const failure = failures.shift();
      if (failure) throw failure;
      transport.commits.push({ records: records.map((record) => String(record.value)), offsets: [...offsets] });
    },
    disconnect: async () => {
      transport.disconnected = true;
    },
  };
  return transport;
}

const record = (value: string): ProduceRecord => ({ topic: 'out', key: 'k', value: Buffer.from(value) });
const origin = (partition: number, offset: number, generation?: number) => ({ topic: 'in', partition, offset: String(offset), ...(generation === undefined ? {} : { generation }) });
const point = (partition: number, offset: number): CommitPoint => ({ topic: 'in', partition, offset: String(offset) });

test('a transaction carries the offset and exactly the records of the messages before it', async () => {
  const transport = fakeTransport();
  const output = new TransactionalOutput(transport, { lingerMs: 1 });
  const first = output.stage(origin(0, 10), [record('a10'), record('anomaly10')]);
  const second = output.stage(origin(0, 11), [record('a11')]);
  const later = output.stage(origin(0, 12), [record('a12')]);
  await output.commitOffsets([point(0, 12)]);
  await Promise.all([first, second]);
  assert.deepEqual(transport.commits, [{ records: ['a10', 'anomaly10', 'a11'], offsets: [point(0, 12)] }]);
  await output.commitOffsets([point(0, 13)]);
  await later;
  assert.deepEqual(transport.commits[1], { records: ['a12'], offsets: [point(0, 13)] });
});

test('commit points arriving while a transaction runs coalesce into the next one, newest per partition', async () => {
  const transport = fakeTransport();
  const output = new TransactionalOutput(transport, { lingerMs: 5 });
  output.stage(origin(0, 1), [record('p0')]).catch(() => undefined);
  output.stage(origin(1, 7), [record('p1')]).catch(() => undefined);
  await Promise.all([output.commitOffsets([point(0, 1)]), output.commitOffsets([point(0, 2), point(1, 8)])]);
  assert.equal(transport.commits.length, 1);
  assert.deepEqual(transport.commits[0]?.offsets, [point(0, 2), point(1, 8)]);
  assert.deepEqual(transport.commits[0]?.records, ['p0', 'p1']);
});

test('a failed transaction is retried with the same records and offsets', async () => {
  const transport = fakeTransport([new KafkaError('connection closed', 'connection', true)]);
  const retries: string[] = [];
  const output = new TransactionalOutput(transport, { lingerMs: 1, retryDelayMs: { initial: 1, max: 1 }, onRetry: (error) => retries.push(error.message) });
  const staged = output.stage(origin(0, 3), [record('r3')]);
  await output.commitOffsets([point(0, 4)]);
  await staged;
  assert.deepEqual(retries, ['connection closed']);
  assert.deepEqual(transport.commits, [{ records: ['r3'], offsets: [point(0, 4)] }]);
  assert.equal(output.counters.retries, 1);
});

test('fenced: every waiting stage fails, later stages are refused, nothing is committed', async () => {
  const fenced = new KafkaError('There is a newer producer with the same transactionalId which fences the current one', 'broker', false);
  const transport = fakeTransport([fenced]);
  let fatal: KafkaError | undefined;
  const output = new TransactionalOutput(transport, { lingerMs: 1, onFatal: (error) => (fatal = error) });
  const staged = output.stage(origin(0, 0), [record('x')]);
  const waiting = output.stage(origin(0, 5), [record('y')]);
  await assert.rejects(output.commitOffsets([point(0, 1)]), /fences/);
  await assert.rejects(staged, /fences/);
  await assert.rejects(waiting, /fences/);
  await assert.rejects(output.stage(origin(0, 6), [record('z')]), /fences/);
  assert.equal(fatal, fenced);
  assert.deepEqual(transport.commits, []);
});

test('after a rebalance, what was staged in the older generation is dropped', async () => {
  const transport = fakeTransport();
  const output = new TransactionalOutput(transport, { lingerMs: 1 });
  const before = output.stage(origin(0, 0, 1), [record('old0')]);
  output.rebalanced(2);
  await before;
  await output.stage(origin(0, 1, 1), [record('old1')]);
  const fresh = output.stage(origin(0, 0, 2), [record('new0')]);
  await output.commitOffsets([point(0, 1)]);
  await fresh;
  assert.deepEqual(transport.commits, [{ records: ['new0'], offsets: [point(0, 1)] }]);
});

test('close commits what it can, refuses what has no offset yet, and disconnects', async () => {
  const transport = fakeTransport();
  const output = new TransactionalOutput(transport, { lingerMs: 1000 });
  const committed = output.stage(origin(0, 0), [record('done')]);
  const pastOffset = output.stage(origin(0, 1), [record('unfinished')]);
  const offsets = output.commitOffsets([point(0, 1)]);
  await output.close();
  await committed;
  await offsets;
  await assert.rejects(pastOffset, /left uncommitted/);
  assert.deepEqual(transport.commits, [{ records: ['done'], offsets: [point(0, 1)] }]);
  assert.equal(transport.disconnected, true);
  assert.equal(output.pendingRecords, 0);
});

test('fencing and a refused transactional id are fatal; a lost connection is not', () => {
  assert.equal(isFatalTransactionError(new KafkaError('Producer attempted an operation with an old epoch', 'broker', false, { cause: { type: 'INVALID_PRODUCER_EPOCH' } })), true);
  assert.equal(isFatalTransactionError(new KafkaError('authentication refused: not authorized', 'auth', false)), true);
  assert.equal(isFatalTransactionError(new KafkaError('Connection error: ECONNREFUSED', 'connection', true)), false);
  // retrying the same records cannot help: the worker stops instead of holding ever more staged records
  assert.equal(isFatalTransactionError(new KafkaError('The request included a message larger than the max message size the server will accept', 'broker', false, { cause: { type: 'MESSAGE_TOO_LARGE' } })), true);
});

test('a transaction carries only the newest record of each key and partition of a compacted topic', async () => {
  const transport = fakeTransport();
  const output = new TransactionalOutput(transport, { lingerMs: 1, compactedTopics: ['state'] });
  const checkpoint = (key: string, value: string, partition = 0): ProduceRecord => ({ topic: 'state', partition, key, value: Buffer.from(value) });
  const staged = [
    output.stage(origin(0, 10), [record('a10'), checkpoint('meter.a', 'a@10')]),
    output.stage(origin(0, 11), [record('b11'), checkpoint('meter.b', 'b@11')]),
    output.stage(origin(0, 12), [record('a12'), checkpoint('meter.a', 'a@12')]),
    output.stage(origin(0, 13), [record('a13'), checkpoint('meter.a', 'a@13'), checkpoint('meter.a', 'a@13 on 1', 1)]),
  ];
  await output.commitOffsets([point(0, 14)]);
  await Promise.all(staged);
  // every scored reading stays; of the checkpoints, each series' newest (per changelog partition)
  assert.deepEqual(transport.commits, [{ records: ['a10', 'b11', 'b@11', 'a12', 'a13', 'a@13', 'a@13 on 1'], offsets: [point(0, 14)] }]);
});
