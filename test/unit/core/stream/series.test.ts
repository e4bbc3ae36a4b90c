import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { seriesOf } from '../../../../core/stream/series';
import { consumed } from './fixtures';

test('a message belongs to the series of its key, or of its partition when it has none', () => {
  assert.equal(seriesOf(consumed(0, '1', 'sensor.a', 0)), seriesOf(consumed(9, '2', 'sensor.a', 3)));
  assert.notEqual(seriesOf(consumed(0, '1', 'sensor.a')), seriesOf(consumed(1, '1', 'sensor.b')));
  assert.equal(seriesOf(consumed(0, '1', null, 2)), seriesOf(consumed(5, '1', null, 2)));
  assert.notEqual(seriesOf(consumed(0, '1', null, 2)), seriesOf(consumed(0, '1', null, 1)));
  // a key that looks like a partition name is still a key
  assert.notEqual(seriesOf(consumed(0, '1', 'in\u00000')), seriesOf(consumed(0, '1', null, 0)));
});
