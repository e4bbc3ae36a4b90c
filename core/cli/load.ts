import { ValueCodec, type ValueFormat } from '../avro/codec';
import { RegistryClient, withoutCredentials } from '../avro/registry';
import { BufferedProducer } from '../kafka/buffered-producer';
import { createKafkaClient } from '../kafka/client';
import { KafkaError } from '../kafka/errors';
import type { Delivery } from '../kafka/types';
import { parseReading, ReadingError, seedEntityId } from '../reading';
import { CliUsageError, type CliCommand, type CliIo } from './command';
import { inputLines, noDataError, stdinInput } from './input';
import { checkTopicName, parseCliOptions, requiredBrokers } from './options';

const usage = `Usage: stream-smarts load --brokers H:P[,H:P] [--topic raw_mwh] [--format avro|json]
                          [--registry URL] [--entity ID] [--rate R] < readings.jsonl

Reads JSON lines from stdin: full readings, or hour records {"hour": h, "mwh": v} / {"hour": h, "kwh": v}
(values in Wh; placed today at that hour, entity id ${seedEntityId} unless --entity says otherwise).
Every line is validated; good ones are produced to --topic keyed by entity id, bad ones are reported
on stderr with their line numbers (exit code 1).

  --brokers   Kafka bootstrap servers (required)
  --topic     topic to produce to (default raw_mwh)
  --format    avro (default) or json
  --registry  Confluent-compatible schema registry API, e.g. http://127.0.0.1:8081/apis/ccompat/v7;
              Avro is then written in the Confluent wire format (subject <topic>-value),
              without it as Avro single-object encoding
  --entity    entity id for hour records (default ${seedEntityId})
  --rate      lines per second (default: as fast as the broker takes them)`;

interface LoadOptions {
  brokers: string[];
  topic: string;
  format: ValueFormat;
  registry: string | undefined;
  entity: string;
  rate: number | undefined;
}

function parseOptions(args: string[]): LoadOptions {
  const values = parseCliOptions(args, {
    brokers: { type: 'string' },
    topic: { type: 'string', default: 'raw_mwh' },
    format: { type: 'string', default: 'avro' },
    registry: { type: 'string' },
    entity: { type: 'string', default: seedEntityId },
    rate: { type: 'string' },
  });
  const brokers = requiredBrokers(values.brokers);
  if (values.format !== 'avro' && values.format !== 'json') throw new CliUsageError(`--format must be avro or json, got '${values.format}'`);
  const topic = values.topic ?? 'raw_mwh';
  checkTopicName('--topic', topic);
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new CliUsageError(`--rate must be a positive number of lines per second, got '${values.rate}'`);
  }
  if (values.registry !== undefined && !/^https?:\/\//.test(values.registry)) throw new CliUsageError(`--registry must be an http(s) URL, got '${withoutCredentials(values.registry).url}'`);
  if (values.registry !== undefined && values.format !== 'avro') throw new CliUsageError('--registry only applies to --format avro');
  return { brokers, topic, format: values.format, registry: values.registry, entity: values.entity ?? seedEntityId, rate };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseOptions(args);
  const registry = options.registry ? new RegistryClient({ url: options.registry }) : undefined;
  const codec = new ValueCodec(registry ? { registry } : {});
  const client = createKafkaClient({ brokers: options.brokers, clientId: 'stream-smarts-load' }, {
    logger: { error: (line) => io.stderr.write(`${line}\n`), warn: (line) => io.stderr.write(`${line}\n`), info: () => undefined, debug: () => undefined },
    logLevel: 'error',
    retries: 3,
  });
  await client.checkConnection();
  const producer = new BufferedProducer(client.producerTransport());
  const deliveries: Promise<Delivery>[] = [];
  let rejected = 0;
  let lineNumber = 0;
  const interval = options.rate ? 1000 / options.rate : 0;
  let nextAt = Date.now();
  const reject = (line: number, reason: string): void => {
    rejected += 1;
    io.stderr.write(`line ${line}: ${reason}\n`);
  };
  let lines = 0;
  try {
    for await (const { lineNo, text: line } of inputLines(stdinInput(io))) {
      lineNumber = lineNo;
      if (line.trim() === '') continue;
      lines += 1;
      let value: Buffer;
      let key: string;
      try {
        const reading = parseReading(JSON.parse(line) as unknown, { seedEntityId: options.entity });
        key = reading.entity_id;
        value = await codec.encode(options.format, options.topic, reading);
      } catch (error) {
        if (error instanceof SyntaxError || error instanceof ReadingError) {
          reject(lineNumber, error instanceof ReadingError ? error.message : `not JSON (${error.message})`);
          continue;
        }
        throw error;
      }
      if (interval > 0) {
        const wait = nextAt - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextAt = Math.max(nextAt, Date.now()) + interval;
      }
      const number = lineNumber;
      const delivery = producer.send({ topic: options.topic, key, value });
      delivery.catch((error: unknown) => reject(number, `not sent: ${error instanceof KafkaError ? error.message : String(error)}`));
      deliveries.push(delivery);
    }
  } catch (error) {
    await Promise.allSettled(deliveries);
    await producer.close();
    throw error;
  }
  const results = await Promise.allSettled(deliveries);
  await producer.close();
  const sent = results.filter((result) => result.status === 'fulfilled').length;
  if (lines === 0) throw noDataError(stdinInput(io), 'readings');
  io.stdout.write(`sent ${sent}, rejected ${rejected}\n`);
  return rejected > 0 ? 1 : 0;
}

export const command: CliCommand = {
  name: 'load',
  summary: 'validate JSON-line readings from stdin and produce them to Kafka (Avro or JSON)',
  usage,
  run,
};
