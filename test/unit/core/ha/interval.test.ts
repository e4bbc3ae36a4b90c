import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intervalStart, intervalStartsBetween } from '../../../../core/ha/interval';

describe('interval alignment', () => {
  it('aligns to local wall-clock boundaries', () => {
    const ts = new Date(2026, 2, 10, 14, 37, 12).getTime();
    assert.equal(intervalStart(ts, 3_600_000), new Date(2026, 2, 10, 14, 0, 0).getTime());
    assert.equal(intervalStart(ts, 900_000), new Date(2026, 2, 10, 14, 30, 0).getTime());
    assert.equal(intervalStart(ts, 1_800_000), new Date(2026, 2, 10, 14, 30, 0).getTime());
  });

  it('lists interval starts in a range', () => {
    const from = new Date(2026, 2, 10, 10, 0, 0).getTime();
    assert.equal(intervalStartsBetween(from, from + 5 * 3_600_000, 3_600_000).length, 5);
    assert.equal(intervalStartsBetween(from, from + 3_600_000, 900_000).length, 4);
  });
});
