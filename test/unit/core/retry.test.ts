import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StreamSmartsError, isRetriable } from '../../../core/errors';
import { backoffDelay, retry } from '../../../core/retry';

describe('retry', () => {
  it('doubles the delay up to the cap, with jitter on top', () => {
    const none = { initialMs: 100, maxMs: 1000, random: () => 0 };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, none)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoffDelay(0, { initialMs: 100, maxMs: 1000, random: () => 1 }), 120);
    assert.equal(backoffDelay(9, { initialMs: 100, maxMs: 1000, random: () => 1 }), 1000);
  });

  it('retries a retriable failure until it succeeds', async () => {
    const seen: number[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 2) throw new StreamSmartsError('down', { retriable: true });
        return 'up';
      },
      { initialMs: 1, onRetry: (_error, attempt) => seen.push(attempt) },
    );
    assert.equal(result, 'up');
    assert.deepEqual(seen, [0, 1]);
  });

  it('gives up at once on an error that is not retriable', async () => {
    let calls = 0;
    await assert.rejects(
      retry(async () => {
        calls += 1;
        throw new StreamSmartsError('bad token', { retriable: false });
      }, { initialMs: 1 }),
      /bad token/,
    );
    assert.equal(calls, 1);
  });

  it('stops waiting when aborted and throws the last error', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(retry(async () => { throw new StreamSmartsError('still down', { retriable: true }); }, { initialMs: 5_000, signal: controller.signal }), /still down/);
  });

  it('reads the retriable flag of any error (kafkajs sets one too)', () => {
    assert.equal(isRetriable(Object.assign(new Error('x'), { retriable: true })), true);
    assert.equal(isRetriable(new Error('x')), false);
    assert.equal(isRetriable('x'), false);
  });
});
