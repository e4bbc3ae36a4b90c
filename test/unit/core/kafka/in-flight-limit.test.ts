import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightLimit } from '../../../../core/kafka/in-flight-limit';

test('holds at most max slots and hands a freed slot to the next waiter', async () => {
  const limit = new InFlightLimit(2);
  assert.equal(await limit.acquire(), true);
  assert.equal(await limit.acquire(), true);
  assert.equal(limit.full, true);
  let third = false;
  const waiting = limit.acquire().then((taken) => {
    third = taken;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(third, false);
  limit.release();
  await waiting;
  assert.equal(third, true);
  assert.equal(limit.inFlight, 2);
});

test('a waiter gives up when its signal resolves first', async () => {
  const limit = new InFlightLimit(1);
  await limit.acquire();
  assert.equal(await limit.acquire(Promise.resolve()), false);
  assert.equal(limit.inFlight, 1);
  assert.throws(() => new InFlightLimit(0), RangeError);
});
