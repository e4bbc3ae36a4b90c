import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc64Avro, fingerprintBytes } from '../../../../core/avro/rabin';

test('CRC-64-AVRO matches the Avro specification test vectors', () => {
  assert.equal(crc64Avro(Buffer.from('"int"')), 0x7275d51a3f395c8fn);
  assert.equal(crc64Avro(Buffer.from('"string"')), 0x8f014872634503c7n);
});

test('fingerprint bytes are little-endian', () => {
  assert.equal(fingerprintBytes('"int"').toString('hex'), '8f5c393f1ad57572');
});
