import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseBrokerList } from '../kafka/config';
import { readingKinds, type ReadingKind } from '../reading';
import { CliUsageError } from './command';
import { parseSensitivity, SensitivityError, type Sensitivity } from '../anomaly/scoring/sensitivity';

/** Option parsing shared by the CLI commands: every bad value becomes a CliUsageError. */

type Options = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends Options> = { args: string[]; options: O; strict: true; allowPositionals: false };

/** node:util parseArgs (strict, no positionals), its errors as usage errors. */
export function parseCliOptions<const O extends Options>(args: string[], options: O): ReturnType<typeof parseArgs<StrictConfig<O>>>['values'] {
  try {
    return parseArgs<StrictConfig<O>>({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/** `--name`'s value as a positive number, or undefined when it was not given. */
export function positiveNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliUsageError(`--${name} must be a positive number, got '${text}'`);
  return value;
}

/** `--kind` as a series kind (any but location), `fallback` when not given. */
export function seriesKind(text: string | undefined, fallback: ReadingKind): ReadingKind {
  const kind = (text ?? fallback) as ReadingKind;
  if (!readingKinds.includes(kind) || kind === 'location') {
    const allowed = [fallback, ...readingKinds.filter((candidate) => candidate !== fallback && candidate !== 'location')];
    throw new CliUsageError(`--kind must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got '${text}'`);
  }
  return kind;
}

/** The required `--brokers host:port[,host:port...]`. */
/** --sensitivity high|normal|low (default normal). */
export function cliSensitivity(text: string | undefined): Sensitivity {
  try {
    return parseSensitivity(text);
  } catch (error) {
    if (error instanceof SensitivityError) throw new CliUsageError(`--${error.message}`);
    throw error;
  }
}

export function requiredBrokers(text: string | undefined): string[] {
  if (!text) throw new CliUsageError('--brokers is required (e.g. --brokers 127.0.0.1:9092)');
  try {
    return parseBrokerList(text);
  } catch (error) {
    throw new CliUsageError(`--brokers: ${(error as Error).message}`);
  }
}

const topicPattern = /^[A-Za-z0-9._-]{1,249}$/;

/** Throws unless `topic` (given as `flag`) is a valid Kafka topic name. */
export function checkTopicName(flag: string, topic: string): void {
  if (!topicPattern.test(topic)) throw new CliUsageError(`${flag} '${topic}' is not a valid Kafka topic name`);
}
