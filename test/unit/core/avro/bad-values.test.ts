import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Type } from 'avsc';
import { ValueCodec } from '../../../../core/avro/codec';
import { encodeConfluent } from '../../../../core/avro/confluent';
import { ValueFormatError } from '../../../../core/avro/errors';
import { RegistryClient } from '../../../../core/avro/registry';
import { parseReading, ReadingError, type Reading } from '../../../../core/reading';

// The bad-input catalogue's message cases (docs/bad-input.md), as the worker and the Kafka-in
// node see them: bytes through the ValueCodec, then the record through parseReading. Each must
// be a clear, non-retriable error that names what is wrong and never echoes a large value whole.

const reading: Reading = { entity_id: 'sensor.meter', ts: 1_700_000_000_000, value: 321.5, unit: 'Wh', kind: 'energy', hour: 3, interval_s: 3600 };

/** A registry that knows only the schemas given, by id; other ids answer 404 as Apicurio and Confluent do. */
function registryWith(schemas: Record<number, object>): RegistryClient {
  const fetchImpl = (async (input: string | URL | Request) => {
    const byId = /\/schemas\/ids\/(\d+)$/.exec(String(input));
    const schema = byId ? schemas[Number(byId[1])] : undefined;
    if (schema) return new Response(JSON.stringify({ schema: JSON.stringify(schema) }), { status: 200 });
    return new Response(JSON.stringify({ error_code: 40403, message: 'Schema not found' }), { status: 404 });
  }) as typeof fetch;
  return new RegistryClient({ url: 'http://registry', fetch: fetchImpl });
}

function notRetriable(error: unknown): boolean {
  return (error as { retriable?: boolean }).retriable === false;
}

describe('bad messages: Avro', () => {
  it('Avro with a wrong type (value a string in the writer schema) decodes, then is refused as a reading naming the field', async () => {
    const wrongSchema = { type: 'record', name: 'Reading', namespace: 'stream.smarts', fields: [{ name: 'entity_id', type: 'string' }, { name: 'ts', type: 'long' }, { name: 'value', type: 'string' }] };
    const body = Type.forSchema(wrongSchema as never).toBuffer({ entity_id: 'sensor.meter', ts: 1_700_000_000_000, value: 'lots' });
    const decoded = await new ValueCodec({ registry: registryWith({ 7: wrongSchema }) }).decode(encodeConfluent(7, body));
    assert.deepEqual(decoded.value, { entity_id: 'sensor.meter', ts: 1_700_000_000_000, value: 'lots' });
    assert.throws(() => parseReading(decoded.value), (error: unknown) => error instanceof ReadingError && /'value' must be a finite number/.test(error.message) && notRetriable(error));
  });

  it('a reading whose field has the wrong type is refused for Avro output, naming the field', async () => {
    await assert.rejects(new ValueCodec().encode('avro', 't', { ...reading, value: 'lots' }), /'value' must be a finite number/);
  });

  it('truncated Avro (single-object and Confluent) is a ValueFormatError, not retriable', async () => {
    const codec = new ValueCodec();
    const whole = await codec.encode('avro', 't', reading);
    for (const cut of [3, 10, whole.length - 1]) {
      await assert.rejects(codec.decode(whole.subarray(0, cut)), (error: unknown) => error instanceof ValueFormatError && notRetriable(error), `cut at ${cut}`);
    }
    const schema = { type: 'record', name: 'R', fields: [{ name: 'entity_id', type: 'string' }, { name: 'value', type: 'double' }] };
    const body = Type.forSchema(schema as never).toBuffer({ entity_id: 'sensor.meter', value: 1.5 });
    const confluent = new ValueCodec({ registry: registryWith({ 3: schema }) });
    await assert.rejects(confluent.decode(encodeConfluent(3, body.subarray(0, body.length - 4))), (error: unknown) => error instanceof ValueFormatError && notRetriable(error));
  });

  it('a wrong magic byte: read as Avro it says so; read as auto it names the bytes in hex', async () => {
    const bytes = Buffer.concat([Buffer.from([0x07]), (await new ValueCodec().encode('avro', 't', reading)).subarray(1)]);
    await assert.rejects(new ValueCodec().decode(bytes, 'avro'), /not Avro: neither the Confluent wire format \(0x00\) nor single-object encoding/);
    await assert.rejects(new ValueCodec().decode(bytes), (error: unknown) => error instanceof ValueFormatError && /neither Avro nor JSON .*0x07/.test(error.message));
  });

  it('an unknown schema id (the registry answers 404) is refused, not retried, and names the id', async () => {
    const codec = new ValueCodec({ registry: registryWith({}) });
    await assert.rejects(codec.decode(encodeConfluent(4242, Buffer.from([2, 0x61]))), (error: unknown) => notRetriable(error) && /4242/.test((error as Error).message));
  });
});

describe('bad messages: JSON and shapes', () => {
  const codec = new ValueCodec();
  const parsed = async (value: unknown): Promise<Reading> => parseReading((await codec.decode(Buffer.from(JSON.stringify(value)))).value);

  it('JSON with a missing field names it (ts, value, entity_id)', async () => {
    const { ts: _ts, ...noTs } = reading;
    const { value: _value, ...noValue } = reading;
    const { entity_id: _entity, ...noEntity } = reading;
    await assert.rejects(parsed(noTs), /'ts' must be a finite number/);
    await assert.rejects(parsed(noValue), /'value' must be a finite number/);
    await assert.rejects(parsed(noEntity), /'entity_id' must be a non-empty string/);
    await assert.rejects(parsed({ ...reading, entity_id: '' }), /'entity_id' must be a non-empty string/);
  });

  it('JSON with extra fields is taken, the extras left out of the reading', async () => {
    const taken = await parsed({ ...reading, colour: 'blue', nested: { deep: [1, 2, 3] } });
    assert.deepEqual(taken, reading);
  });

  it('an empty value is a ValueFormatError (auto, json and avro), never a reading', async () => {
    for (const format of ['auto', 'json', 'avro'] as const) {
      await assert.rejects(codec.decode(Buffer.alloc(0), format), (error: unknown) => error instanceof ValueFormatError && notRetriable(error), format);
    }
  });

  it('a payload that is not an object (a number, a string, an array, null) is refused with what it got', () => {
    for (const payload of [42, 'sensor.meter 3.5', [reading], null, undefined]) {
      assert.throws(() => parseReading(payload), (error: unknown) => error instanceof ReadingError && /a reading must be a JSON object, got/.test(error.message), String(payload));
    }
  });

  it('a 1 MB message: a reading padded to 1 MB is taken with its name bounded; 1 MB of garbage is refused quoting at most a few hundred characters', async () => {
    const big = await parsed({ ...reading, friendly_name: 'x'.repeat(1024 * 1024) });
    assert.equal(big.friendly_name?.length, 255);
    const garbage = Buffer.alloc(1024 * 1024, 'z');
    const error = await codec.decode(garbage).then(() => undefined, (failure: Error) => failure);
    assert.ok(error instanceof ValueFormatError);
    assert.ok(error.message.length < 400, `the message is ${error.message.length} characters`);
  });

  it('a message of 256 MB is refused quoting at most a few hundred characters', async () => {
    const huge = Buffer.alloc(256 * 1024 * 1024, 'q');
    const error = await codec.decode(huge).then(() => undefined, (failure: Error) => failure);
    assert.ok(error instanceof ValueFormatError);
    assert.ok(error.message.length < 400, `the message is ${error.message.length} characters`);
  });
});
