import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, HaConfigError } from '../../../../core/ha/errors';
import { resolveServerConfig } from '../../../../core/ha/server-config';

describe('server config', () => {
  it('builds REST and websocket URLs', () => {
    const config = resolveServerConfig({ url: 'https://ha.example:8123/', token: 'abc' }, {});
    assert.equal(config.baseUrl, 'https://ha.example:8123');
    assert.equal(config.websocketUrl, 'wss://ha.example:8123/api/websocket');
    assert.equal(config.addon, false);
  });

  it('uses the supervisor when running as an add-on', () => {
    const config = resolveServerConfig({}, { SUPERVISOR_TOKEN: 'sup' });
    assert.deepEqual(config, { baseUrl: 'http://supervisor/core', websocketUrl: 'ws://supervisor/core/websocket', token: 'sup', addon: true });
  });

  it('says what is missing', () => {
    assert.throws(() => resolveServerConfig({ url: 'http://x' }, {}), HaConfigError);
    assert.throws(() => resolveServerConfig({ url: 'ftp://x', token: 't' }, {}), /http/);
  });

  it('keeps tokens out of error texts', () => {
    assert.equal(describeError(new Error('bad token secret123 here'), ['secret123']), 'bad token *** here');
  });
});
