import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'avsc';
import { ValueCodec } from '../../../../core/avro/codec';
import { encodeConfluent, parseConfluent } from '../../../../core/avro/confluent';
import { ValueFormatError } from '../../../../core/avro/errors';
import { RegistryClient } from '../../../../core/avro/registry';
import { readingSchema, readingSchemas, seedSchema } from '../../../../core/avro/schemas';
import { encodeSingleObject, parseSingleObject } from '../../../../core/avro/single-object';
import { crc64Avro } from '../../../../core/avro/rabin';
import type { Reading } from '../../../../core/reading';

const reading: Reading = { entity_id: 'sensor.meter', ts: 1_700_000_000_000, value: 321.5, unit: 'Wh', kind: 'energy', hour: 3, interval_s: 3600 };

test('the reading schema has every field of the Reading contract', () => {
  const fields = (readingSchema().type as unknown as { fields: { name: string }[] }).fields.map((field) => field.name);
  for (const name of ['entity_id', 'ts', 'value', 'unit', 'kind', 'hour', 'interval_s', 'latitude', 'longitude', 'backfilled', 'artefact']) {
    assert.ok(fields.includes(name), name);
  }
});

test('Avro without a registry is single-object encoded and round-trips', async () => {
  const codec = new ValueCodec();
  const bytes = await codec.encode('avro', 'raw', reading);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01]);
  const { fingerprint } = parseSingleObject(bytes);
  assert.equal(fingerprint.readBigUInt64LE(), crc64Avro(Buffer.from(readingSchema().canonicalForm)));
  const decoded = await codec.decode(bytes, 'auto');
  assert.equal(decoded.encoding, 'single-object-avro');
  assert.deepEqual(decoded.value, reading);
});

test('seed records are written as readings', async () => {
  const codec = new ValueCodec();
  const decoded = await codec.decode(await codec.encode('avro', 'raw', { hour: 4, mwh: 126 }), 'avro');
  const value = decoded.value as Reading;
  assert.equal(value.entity_id, 'seed.power');
  assert.equal(value.value, 126);
  assert.equal(value.hour, 4);
});

test("the seed's myrecord {hour: float, mwh: float} decodes as single object", async () => {
  const bytes = encodeSingleObject(seedSchema(), { hour: 22, mwh: 512 });
  const decoded = await new ValueCodec().decode(bytes);
  assert.equal(decoded.schema, 'myrecord');
  assert.deepEqual(decoded.value, { hour: 22, mwh: 512 });
});

test('JSON and string formats', async () => {
  const codec = new ValueCodec();
  const json = await codec.encode('json', 't', reading);
  assert.deepEqual(JSON.parse(json.toString()), reading);
  assert.deepEqual((await codec.decode(json)).value, reading);
  assert.equal((await codec.decode(json)).encoding, 'json');
  assert.equal((await codec.encode('string', 't', 'plain text')).toString(), 'plain text');
  assert.equal((await codec.decode(Buffer.from('x'), 'string')).value, 'x');
});

test('undecodable bytes are a ValueFormatError, not retriable', async () => {
  const codec = new ValueCodec();
  await assert.rejects(codec.decode(Buffer.from('not json {')), (error: unknown) => error instanceof ValueFormatError && !error.retriable);
  await assert.rejects(codec.decode(Buffer.from('{"a":1}'), 'avro'), ValueFormatError);
  const unknownFingerprint = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 7), Buffer.from([2])]);
  await assert.rejects(codec.decode(unknownFingerprint), /unknown schema fingerprint/);
  const truncated = (await codec.encode('avro', 't', reading)).subarray(0, 14);
  await assert.rejects(codec.decode(truncated), ValueFormatError);
  await assert.rejects(codec.decode(encodeConfluent(5, Buffer.from([1]))), /no schema registry/);
});

test('a value that is not a reading is refused for Avro', async () => {
  await assert.rejects(new ValueCodec().encode('avro', 't', { entity_id: 'x', ts: 'yesterday', value: 1 }), /'ts' must be a finite number/);
});

/** An in-memory stand-in for the registry's HTTP API, recording requests (the real one is in test/integration). */
function fakeRegistryFetch(calls: string[]): typeof fetch {
  const schemas: string[] = [];
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    const register = /\/subjects\/([^/]+)\/versions$/.exec(url);
    if (register) {
      const { schema } = JSON.parse(String(init?.body)) as { schema: string };
      let id = schemas.indexOf(schema) + 1;
      if (id === 0) id = schemas.push(schema);
      return new Response(JSON.stringify({ id }), { status: 200 });
    }
    const byId = /\/schemas\/ids\/(\d+)$/.exec(url);
    const schema = byId ? schemas[Number(byId[1]) - 1] : undefined;
    if (schema) return new Response(JSON.stringify({ schema }), { status: 200 });
    return new Response('{"error_code":40403,"message":"Schema not found"}', { status: 404 });
  }) as typeof fetch;
}

test('Confluent wire format: registered once per subject, cached, decodable by a fresh client', async () => {
  const calls: string[] = [];
  const fetchImpl = fakeRegistryFetch(calls);
  const codec = new ValueCodec({ registry: new RegistryClient({ url: 'http://registry/apis/ccompat/v7/', fetch: fetchImpl }) });
  const first = await codec.encode('avro', 'raw_mwh', reading);
  await codec.encode('avro', 'raw_mwh', reading);
  assert.deepEqual(calls, ['POST http://registry/apis/ccompat/v7/subjects/raw_mwh-value/versions']);
  assert.equal(first[0], 0);
  assert.equal(parseConfluent(first).schemaId, 1);
  const reader = new ValueCodec({ registry: new RegistryClient({ url: 'http://registry/apis/ccompat/v7', fetch: fetchImpl }) });
  const decoded = await reader.decode(first);
  assert.equal(decoded.encoding, 'confluent-avro');
  assert.deepEqual(decoded.value, reading);
  await reader.decode(first);
  assert.equal(calls.filter((call) => call.includes('/schemas/ids/1')).length, 1);
});

test('registry errors say whether a retry makes sense', async () => {
  const down = new RegistryClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
  await assert.rejects(down.schemaById(1), (error: unknown) => (error as { retriable: boolean }).retriable === true);
  const calls: string[] = [];
  const missing = new RegistryClient({ url: 'http://registry', fetch: fakeRegistryFetch(calls) });
  await assert.rejects(missing.schemaById(42), (error: unknown) => (error as { retriable: boolean; status: number }).retriable === false && (error as { status: number }).status === 404);
});

test('Confluent records written with the seed schema decode through the registry', async () => {
  const calls: string[] = [];
  const registry = new RegistryClient({ url: 'http://registry', fetch: fakeRegistryFetch(calls) });
  const id = await registry.idFor('raw_mwh-value', seedSchema());
  const body = Type.forSchema({ type: 'record', name: 'myrecord', fields: [{ name: 'hour', type: 'float' }, { name: 'mwh', type: 'float' }] }).toBuffer({ hour: 3, mwh: 128 });
  const same = await new ValueCodec({ registry }).decode(encodeConfluent(id, body));
  assert.deepEqual(same.value, { hour: 3, mwh: 128 });
});

test('registry basic auth is sent as an Authorization header', async () => {
  const seen: string[] = [];
  const fetchImpl = (async (_input: string | URL | Request, init?: RequestInit) => {
    seen.push(String((init?.headers as Record<string, string>).authorization));
    return new Response(JSON.stringify({ id: 9 }), { status: 200 });
  }) as typeof fetch;
  const client = new RegistryClient({ url: 'http://registry', username: 'user', password: 'secret', fetch: fetchImpl });
  assert.equal(await client.idFor('t-value', readingSchema()), 9);
  assert.deepEqual(seen, [`Basic ${Buffer.from('user:secret').toString('base64')}`]);
});

test('a reading carries its friendly name through Avro, and version 1 readings (without it) still decode', async () => {
  const codec = new ValueCodec();
  const named: Reading = { ...reading, friendly_name: 'Home energy' };
  assert.deepEqual((await codec.decode(await codec.encode('avro', 'raw', named), 'auto')).value, named);
  const [current, v1] = readingSchemas();
  assert.ok(current && v1 && !current.fingerprint.equals(v1.fingerprint));
  const old = encodeSingleObject(v1, { interval_s: 3600, latitude: null, longitude: null, backfilled: null, artefact: null, ...reading });
  assert.deepEqual((await codec.decode(old, 'auto')).value, reading);
});
