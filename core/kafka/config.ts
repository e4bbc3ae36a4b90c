import { readFileSync } from 'node:fs';
import { KafkaError } from './errors';

export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export interface TlsConfig {
  /** PEM text, or a path to a PEM file. */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** Verify the broker's certificate (default true); false only by explicit opt-out. */
  verify?: boolean;
}

export interface SaslConfig {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** Everything needed to reach a Kafka cluster. */
export interface BrokerConfig {
  brokers: string[];
  clientId?: string;
  tls?: TlsConfig;
  sasl?: SaslConfig;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** `host:port` list, comma or whitespace separated. */
export function parseBrokerList(text: string): string[] {
  const brokers = text.split(/[\s,]+/).filter((entry) => entry.length > 0);
  if (brokers.length === 0) throw new KafkaError('no brokers given (expected host:port[,host:port])', 'config', false);
  for (const broker of brokers) {
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) throw new KafkaError(`'${broker}' is not host:port`, 'config', false);
  }
  return brokers;
}

export function parseSaslMechanism(text: string): SaslMechanism {
  const mechanism = text.toLowerCase();
  if (!(saslMechanisms as readonly string[]).includes(mechanism)) {
    throw new KafkaError(`SASL mechanism '${text}' is not one of ${saslMechanisms.join(', ')}`, 'config', false);
  }
  return mechanism as SaslMechanism;
}

function pem(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value.trim(), 'utf8');
  } catch (error) {
    throw new KafkaError(`TLS ${what}: cannot read ${value.trim()}: ${(error as Error).message}`, 'config', false);
  }
}

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

/** Node's TLS options for the config: verification on unless `verify === false`. */
export function tlsOptions(tls: TlsConfig): TlsOptions {
  const options: TlsOptions = { rejectUnauthorized: tls.verify !== false };
  const ca = pem(tls.ca, 'CA');
  const cert = pem(tls.cert, 'certificate');
  const key = pem(tls.key, 'key');
  if ((cert === undefined) !== (key === undefined)) throw new KafkaError('TLS client certificate and key must be given together', 'config', false);
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  if (tls.passphrase) options.passphrase = tls.passphrase;
  return options;
}

/** A one-line description that never contains a secret. */
export function describeBrokerConfig(config: BrokerConfig): string {
  const security = [config.tls ? `TLS${config.tls.verify === false ? ' (unverified)' : ''}` : 'plaintext'];
  if (config.sasl) security.push(`SASL ${config.sasl.mechanism.toUpperCase()} as ${config.sasl.username}`);
  return `${config.brokers.join(',')} (${security.join(', ')})`;
}
