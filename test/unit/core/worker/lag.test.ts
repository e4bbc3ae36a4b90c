import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { lagOf } from '../../../../core/worker/lag';

describe('lagOf', () => {
  it('sums, per partition, the high watermark minus the committed offset', () => {
    const ends = [
      { partition: 0, low: '0', high: '100' },
      { partition: 1, low: '0', high: '50' },
    ];
    assert.equal(lagOf(ends, new Map([[0, 90n], [1, 50n]])), 10);
  });

  it('counts a partition the group never committed from its low watermark', () => {
    assert.equal(lagOf([{ partition: 0, low: '20', high: '100' }], new Map()), 80);
  });

  it('never goes below 0 when a stale high watermark lags the committed offset (just after a broker restart)', () => {
    const ends = [
      { partition: 0, low: '0', high: '40' },
      { partition: 1, low: '0', high: '100' },
    ];
    assert.equal(lagOf(ends, new Map([[0, 60n], [1, 95n]])), 5);
  });
});
