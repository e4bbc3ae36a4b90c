import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RegistryClient, withoutCredentials } from '../../../../core/avro/registry';
import { readingSchema } from '../../../../core/avro/schemas';

describe('schema registry URL with credentials', () => {
  it('moves user:password out of the URL', () => {
    assert.deepEqual(withoutCredentials('http://reg%40user:p%3Ass@127.0.0.1:8081/apis/ccompat/v7'), {
      url: 'http://127.0.0.1:8081/apis/ccompat/v7',
      username: 'reg@user',
      password: 'p:ss',
    });
    assert.deepEqual(withoutCredentials('http://127.0.0.1:8081/apis/ccompat/v7'), { url: 'http://127.0.0.1:8081/apis/ccompat/v7' });
    assert.deepEqual(withoutCredentials('not a url'), { url: 'not a url' });
  });

  it('sends them as basic auth to a URL without them, and never shows them in an error', async () => {
    const requests: Array<{ url: string; authorization: string | null }> = [];
    const refusing: typeof fetch = async (input, init) => {
      requests.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return new Response('{"error_code":40101,"message":"Unauthorized"}', { status: 401 });
    };
    const client = new RegistryClient({ url: 'http://alice:s3cret-pw@127.0.0.1:8081/apis/ccompat/v7/', fetch: refusing });
    assert.equal(client.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
    const error = await client.idFor('meter-value', readingSchema()).then(
      () => assert.fail('a 401 must reject'),
      (rejected: Error) => rejected,
    );
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.url, 'http://127.0.0.1:8081/apis/ccompat/v7/subjects/meter-value/versions');
    assert.equal(requests[0]?.authorization, `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
    assert.match(error.message, /answered 401/);
    assert.doesNotMatch(`${error.message} ${error.stack ?? ''}`, /s3cret-pw/);
  });

  it('an unreachable registry with credentials in its URL does not echo them', async () => {
    const unreachable: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const client = new RegistryClient({ url: 'http://alice:s3cret-pw@127.0.0.1:1/apis/ccompat/v7', fetch: unreachable });
    const error = await client.schemaById(7).then(
      () => assert.fail('must reject'),
      (rejected: Error) => rejected,
    );
    assert.match(error.message, /schema registry http:\/\/127\.0\.0\.1:1\/apis\/ccompat\/v7 unreachable/);
    assert.doesNotMatch(error.message, /s3cret-pw|alice/);
  });
});
