import { ValueFormatError } from './errors';
import type { KnownSchema } from './schemas';

/** Avro single-object encoding: 0xC3 0x01, the schema's CRC-64-AVRO fingerprint (8 bytes LE), the body. */
export const singleObjectMarker = Buffer.from([0xc3, 0x01]);
const headerLength = 10;

export function isSingleObject(bytes: Buffer): boolean {
  return bytes.length >= headerLength && bytes[0] === 0xc3 && bytes[1] === 0x01;
}

export function encodeSingleObject(schema: KnownSchema, value: unknown): Buffer {
  return Buffer.concat([singleObjectMarker, schema.fingerprint, schema.type.toBuffer(value)]);
}

export interface SingleObject {
  fingerprint: Buffer;
  body: Buffer;
}

export function parseSingleObject(bytes: Buffer): SingleObject {
  if (!isSingleObject(bytes)) throw new ValueFormatError('not Avro single-object encoded (no 0xC3 0x01 header)');
  return { fingerprint: bytes.subarray(2, headerLength), body: bytes.subarray(headerLength) };
}

export function decodeSingleObject(bytes: Buffer, schemas: readonly KnownSchema[]): { schema: KnownSchema; value: unknown } {
  const { fingerprint, body } = parseSingleObject(bytes);
  const schema = schemas.find((candidate) => candidate.fingerprint.equals(fingerprint));
  if (!schema) throw new ValueFormatError(`single-object Avro with unknown schema fingerprint ${fingerprint.toString('hex')}`);
  return { schema, value: decodeBody(schema, body) };
}

export function decodeBody(schema: KnownSchema, body: Buffer): unknown {
  try {
    return schema.type.fromBuffer(body);
  } catch (error) {
    throw new ValueFormatError(`Avro body does not match schema ${schema.name}: ${(error as Error).message}`);
  }
}
