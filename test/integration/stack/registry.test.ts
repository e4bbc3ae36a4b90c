import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { stackInfo, stackRegistry } from '../../support/stack';
import { PrivateRegistry } from '../kafka/support';

// Proof that the stack's schema registry speaks the Confluent API (Apicurio's /apis/ccompat/v7).

const contentType = 'application/vnd.schemaregistry.v1+json';

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': contentType, accept: contentType } });
  const text = await response.text();
  assert.ok(response.ok, `${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

describe('stack: schema registry', () => {
  it('registers an Avro schema and returns it by id and by subject', { timeout: 30_000 }, async (t) => {
    const registry = stackRegistry();
    if ('skip' in registry) {
      t.skip(registry.skip);
      return;
    }
    const subject = `stack-proof-${randomUUID()}-value`;
    const schema = { type: 'record', name: 'Reading', namespace: 'stream.smarts.proof', fields: [{ name: 'hour', type: 'int' }, { name: 'kwh', type: 'double' }] };
    const { id } = await call<{ id: number }>(`${registry.url}/subjects/${subject}/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify(schema), schemaType: 'AVRO' }),
    });
    assert.ok(Number.isInteger(id) && id > 0, `a schema id (${id})`);

    const byId = await call<{ schema: string }>(`${registry.url}/schemas/ids/${id}`);
    assert.deepEqual(JSON.parse(byId.schema), schema);
    const latest = await call<{ id: number; version: number; subject: string }>(`${registry.url}/subjects/${subject}/versions/latest`);
    assert.deepEqual([latest.id, latest.version, latest.subject], [id, 1, subject]);
    assert.ok((await call<string[]>(`${registry.url}/subjects`)).includes(subject));
    await fetch(`${registry.url}/subjects/${subject}`, { method: 'DELETE' });
  });

  it('keeps its schemas in Kafka: a restarted registry still resolves the ids producers cached', { timeout: 240_000 }, async () => {
    // The stack's own registry runs this storage (scripts/stack/registry.sh); a private one on the
    // stack's broker can be restarted without disturbing the other tests.
    const registry = new PrivateRegistry(18100 + Math.floor(Math.random() * 800), {
      broker: stackInfo().kafka.brokers[0] as string,
      topic: `it-registry-journal-${randomUUID()}`,
    });
    try {
      await registry.start();
      const subject = `restart-proof-${randomUUID()}-value`;
      const schema = { type: 'record', name: 'Reading', namespace: 'stream.smarts.proof', fields: [{ name: 'kwh', type: 'double' }] };
      const { id } = await call<{ id: number }>(`${registry.url}/subjects/${subject}/versions`, {
        method: 'POST',
        body: JSON.stringify({ schema: JSON.stringify(schema), schemaType: 'AVRO' }),
      });
      await registry.stop();
      await registry.start();
      const byId = await call<{ schema: string }>(`${registry.url}/schemas/ids/${id}`);
      assert.deepEqual(JSON.parse(byId.schema), schema);
      assert.ok((await call<string[]>(`${registry.url}/subjects`)).includes(subject), 'the subject survives the restart');
    } finally {
      await registry.remove();
    }
  });
});
