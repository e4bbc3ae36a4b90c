import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ValueCodec } from '../../../core/avro/codec';
import { parseReading } from '../../../core/reading';
import { bytesPreview, valuePreview } from '../../../core/preview';

describe('previews of bad values in errors', () => {
  it('shows text as escaped JSON and binary as hex, bounded', () => {
    assert.equal(bytesPreview(Buffer.from('{"a":1')), '"{\\"a\\":1"');
    assert.equal(bytesPreview(Buffer.from([0x07, 0x00, 0xff, 0x1b])), '0x0700ff1b');
    assert.equal(bytesPreview(Buffer.alloc(1000, 0x61), 4), '"aaaa"… (1000 bytes)');
    assert.equal(valuePreview('x'.repeat(200), 10), '"xxxxxxxxx… (202 chars)');
  });

  it('a wrong magic byte read as JSON names the bytes in hex, with no raw control bytes', async () => {
    const error = await new ValueCodec().decode(Buffer.from([0x07, 0x00, 0x00, 0x00, 0x01, 0x1b, 0xff]), 'json').then(
      () => assert.fail('must reject'),
      (rejected: Error) => rejected,
    );
    assert.match(error.message, /neither Avro nor JSON .*value 0x07000000011bff/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(error.message, /[\u0000-\u001f\u007f\ufffd]/);
  });

  it('a 5 MB value is never echoed whole', async () => {
    const huge = Buffer.from(`{"entity_id": ${'9'.repeat(5_000_000)}`);
    const error = await new ValueCodec().decode(huge, 'json').then(
      () => assert.fail('must reject'),
      (rejected: Error) => rejected,
    );
    assert.ok(error.message.length < 400, `message of ${error.message.length} chars`);
    assert.throws(
      () => parseReading({ entity_id: 'sensor.x', ts: 1, value: 'z'.repeat(5_000_000), unit: 'kWh', kind: 'energy', hour: 1 }),
      (thrown: Error) => thrown.message.length < 400 && /'value' must be a finite number/.test(thrown.message),
    );
  });
});
