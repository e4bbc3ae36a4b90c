import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetTracker } from '../../../../core/kafka/offset-tracker';

test('commits only past messages finished together with all before them', () => {
  const tracker = new OffsetTracker();
  const a = tracker.begin('t', 0, '10');
  const b = tracker.begin('t', 0, '11');
  const c = tracker.begin('t', 0, '12');
  assert.equal(tracker.finish(c), undefined);
  assert.equal(tracker.finish(b), undefined);
  assert.equal(tracker.pending, 1);
  assert.deepEqual(tracker.finish(a), { topic: 't', partition: 0, offset: '13' });
  assert.equal(tracker.pending, 0);
});

test('partitions are independent', () => {
  const tracker = new OffsetTracker();
  const p0 = tracker.begin('t', 0, '5');
  const p1 = tracker.begin('t', 1, '7');
  assert.deepEqual(tracker.finish(p1), { topic: 't', partition: 1, offset: '8' });
  assert.deepEqual(tracker.finish(p0), { topic: 't', partition: 0, offset: '6' });
});

test('finishing twice or after a rebalance moves nothing', () => {
  const tracker = new OffsetTracker();
  const a = tracker.begin('t', 0, '1');
  assert.deepEqual(tracker.finish(a), { topic: 't', partition: 0, offset: '2' });
  assert.equal(tracker.finish(a), undefined);
  const b = tracker.begin('t', 0, '2');
  tracker.reset();
  assert.equal(tracker.finish(b), undefined);
  assert.equal(tracker.pending, 0);
});

test('offsets beyond 2^53 stay exact', () => {
  const tracker = new OffsetTracker();
  const big = tracker.begin('t', 0, '9007199254740993');
  assert.equal(tracker.finish(big)?.offset, '9007199254740994');
});
