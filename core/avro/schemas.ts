import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import { fingerprintBytes } from './rabin';

/** An Avro type with what the wire formats need: its canonical form and CRC-64-AVRO fingerprint. */
export interface KnownSchema {
  name: string;
  type: Type;
  /** The schema as JSON text, as registered with a schema registry. */
  text: string;
  canonicalForm: string;
  /** 8 bytes, little-endian, as single-object encoding carries it. */
  fingerprint: Buffer;
}

export function knownSchema(schema: Schema): KnownSchema {
  const type = Type.forSchema(schema);
  const canonicalForm = JSON.stringify(type.schema());
  return {
    name: type.name ?? type.typeName,
    type,
    text: JSON.stringify(schema),
    canonicalForm,
    fingerprint: fingerprintBytes(canonicalForm),
  };
}

function fromFile(file: string): KnownSchema {
  // The build copies .avsc files beside the compiled code.
  return knownSchema(JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as Schema);
}

let reading: KnownSchema | undefined;
let readingV1: KnownSchema | undefined;
let seed: KnownSchema | undefined;

/** The reading schema (core/avro/reading.avsc): what `load` and the producer write. */
export function readingSchema(): KnownSchema {
  reading ??= fromFile('reading.avsc');
  return reading;
}

/** Every reading schema ever written, newest first: values already on a topic still decode. */
export function readingSchemas(): KnownSchema[] {
  readingV1 ??= fromFile('reading-v1.avsc');
  return [readingSchema(), readingV1];
}

/** The seed project's `myrecord {hour: float, mwh: float}`, so its old records still decode. */
export function seedSchema(): KnownSchema {
  seed ??= fromFile('seed-record.avsc');
  return seed;
}
