import { parseReading, type Reading } from '../reading';
import { encodeConfluent, isConfluent, parseConfluent } from './confluent';
import { ValueFormatError } from './errors';
import { subjectFor, type RegistryClient } from './registry';
import { readingSchema, readingSchemas, seedSchema, type KnownSchema } from './schemas';
import { decodeBody, decodeSingleObject, encodeSingleObject, isSingleObject } from './single-object';
import { bytesPreview, valuePreview } from '../preview';

export const valueFormats = ['avro', 'json', 'string'] as const;
export type ValueFormat = (typeof valueFormats)[number];
export const decodeFormats = ['auto', ...valueFormats] as const;
export type DecodeFormat = (typeof decodeFormats)[number];

/** How a value was found on the wire. */
export type WireEncoding = 'confluent-avro' | 'single-object-avro' | 'json' | 'string';

export interface DecodedValue {
  value: unknown;
  encoding: WireEncoding;
  /** The Avro writer schema's name, for Avro values. */
  schema?: string;
  /** The registry's schema id, for Confluent values. */
  schemaId?: number;
}

export interface ValueCodecOptions {
  /** With a registry, Avro is written in the Confluent wire format; without, as single objects. */
  registry?: RegistryClient;
  /** The schema Avro values are written with (default: the reading schema). */
  schema?: KnownSchema;
  /** Schemas single-object values may carry (default: every reading schema and the seed schema). */
  readable?: KnownSchema[];
}

/** Encodes message values for Kafka and decodes them back, in every format the plugin speaks. */
export class ValueCodec {
  private readonly schema: KnownSchema;
  private readonly readable: KnownSchema[];
  private readonly registry: RegistryClient | undefined;

  constructor(options: ValueCodecOptions = {}) {
    this.schema = options.schema ?? readingSchema();
    this.readable = options.readable ?? [...readingSchemas(), seedSchema()];
    if (!this.readable.includes(this.schema)) this.readable.push(this.schema);
    this.registry = options.registry;
  }

  get usesRegistry(): boolean {
    return this.registry !== undefined;
  }

  async encode(format: ValueFormat, topic: string, value: unknown): Promise<Buffer> {
    switch (format) {
      case 'avro': {
        const record = this.toAvroRecord(value);
        if (!this.registry) return encodeSingleObject(this.schema, record);
        const id = await this.registry.idFor(subjectFor(topic), this.schema);
        return encodeConfluent(id, this.schema.type.toBuffer(record));
      }
      case 'json':
        return encodeJson(value);
      case 'string':
        if (Buffer.isBuffer(value)) return value;
        return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value), 'utf8');
    }
  }

  async decode(bytes: Buffer, format: DecodeFormat = 'auto'): Promise<DecodedValue> {
    switch (format) {
      case 'string':
        return { value: bytes.toString('utf8'), encoding: 'string' };
      case 'json':
        return { value: parseJson(bytes), encoding: 'json' };
      case 'avro':
        if (isSingleObject(bytes) || isConfluent(bytes)) return this.decodeAvro(bytes);
        throw new ValueFormatError('not Avro: neither the Confluent wire format (0x00) nor single-object encoding (0xC3 0x01)');
      case 'auto':
        if (isSingleObject(bytes) || isConfluent(bytes)) return this.decodeAvro(bytes);
        return { value: parseJson(bytes), encoding: 'json' };
    }
  }

  private async decodeAvro(bytes: Buffer): Promise<DecodedValue> {
    if (isSingleObject(bytes)) {
      const { schema, value } = decodeSingleObject(bytes, this.readable);
      return { value: withoutNulls(value), encoding: 'single-object-avro', schema: schema.name };
    }
    const { schemaId, body } = parseConfluent(bytes);
    if (!this.registry) {
      throw new ValueFormatError(`Confluent-format Avro (schema id ${schemaId}) but no schema registry is configured`);
    }
    const schema = await this.registry.schemaById(schemaId);
    return { value: withoutNulls(decodeBody(schema, body)), encoding: 'confluent-avro', schema: schema.name, schemaId };
  }

  /** A reading (or a seed record, converted) as the Avro record: absent optional fields are null. */
  private toAvroRecord(value: unknown): Record<string, unknown> {
    const reading: Reading = this.schema === readingSchema() ? parseReading(value) : (value as Reading);
    const record: Record<string, unknown> = {
      interval_s: null,
      latitude: null,
      longitude: null,
      backfilled: null,
      artefact: null,
      friendly_name: null,
      ...reading,
    };
    const problems: string[] = [];
    const valid = this.schema.type.isValid(record, {
      errorHook: (path: string[], bad: unknown) => problems.push(`${path.join('.') || 'value'}=${valuePreview(bad)}`),
    });
    if (!valid) throw new ValueFormatError(`value does not fit Avro schema ${this.schema.name}: ${problems.join(', ')}`);
    return record;
  }
}

/** The one JSON encoding of message values (the codec's `json` format, the worker's output). */
export function encodeJson(value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text === undefined) throw new ValueFormatError(`cannot write ${typeof value} as JSON`);
  return Buffer.from(text, 'utf8');
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's message quotes the input: keep only its reason, and show a bounded excerpt instead.
    const reason = (error as Error).message.replace(/,? ".*" is not valid JSON$/s, '').replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
    throw new ValueFormatError(`neither Avro nor JSON (${reason}; value ${bytesPreview(bytes)})`);
  }
}

/** Avro has no "absent": optional fields decode as null; the reading contract leaves them out. */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const plain: Record<string, unknown> = {};
  for (const [field, fieldValue] of Object.entries(value)) if (fieldValue !== null) plain[field] = fieldValue;
  return plain;
}
