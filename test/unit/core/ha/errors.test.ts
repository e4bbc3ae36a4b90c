import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isRetriable, StreamSmartsError } from '../../../../core/errors';
import { describeError, HaAuthError, HaCommandError, HaConfigError, HaConnectionError, HaError } from '../../../../core/ha/errors';

describe('Home Assistant errors', () => {
  it('are StreamSmartsErrors that say whether a retry can help', () => {
    const cases: [HaError, boolean][] = [
      [new HaAuthError('refused'), false],
      [new HaConnectionError('down'), true],
      [new HaConfigError('no url'), false],
      [new HaCommandError('not found', 'not_found'), false],
      [new HaCommandError('HTTP 503', 'http_503', true), true],
    ];
    for (const [error, retriable] of cases) {
      assert.ok(error instanceof StreamSmartsError);
      assert.equal(error.retriable, retriable, error.name);
      assert.equal(isRetriable(error), retriable, error.name);
    }
    assert.equal(new HaConnectionError('down').name, 'HaConnectionError');
    assert.equal(new HaCommandError('x', 'not_found').code, 'not_found');
  });

  it('describes any thrown value without the token', () => {
    assert.equal(describeError(new HaConnectionError('bad token abcd1234'), ['abcd1234']), 'bad token ***');
    assert.equal(describeError({ message: 'plain object' }), 'plain object');
    assert.equal(describeError('text'), 'text');
  });
});
