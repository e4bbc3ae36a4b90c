/** CRC-64-AVRO (Rabin) fingerprint of the Avro specification, over the Parsing Canonical Form. */
const empty = 0xc15d213aa4d7a795n;
const mask = 0xffffffffffffffffn;

const table: bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fp = BigInt(index);
  for (let bit = 0; bit < 8; bit += 1) fp = (fp >> 1n) ^ (empty & -(fp & 1n) & mask);
  return fp;
});

export function crc64Avro(data: Uint8Array): bigint {
  let fp = empty;
  for (const byte of data) fp = (fp >> 8n) ^ (table[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  return fp;
}

/** The 8-byte little-endian form used by single-object encoding. */
export function fingerprintBytes(canonicalForm: string): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(crc64Avro(Buffer.from(canonicalForm, 'utf8')));
  return bytes;
}
