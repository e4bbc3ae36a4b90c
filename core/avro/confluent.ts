import { ValueFormatError } from './errors';

/** Confluent wire format: magic byte 0, the registry's schema id (4 bytes big-endian), the Avro body. */
const headerLength = 5;

export function isConfluent(bytes: Buffer): boolean {
  return bytes.length >= headerLength && bytes[0] === 0;
}

export function encodeConfluent(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(headerLength);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function parseConfluent(bytes: Buffer): { schemaId: number; body: Buffer } {
  if (!isConfluent(bytes)) throw new ValueFormatError('not in the Confluent wire format (no magic byte 0)');
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(headerLength) };
}
