import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toKafkaError } from '../../../../core/kafka/errors';
import { parseBrokerList, parseSaslMechanism, tlsOptions, describeBrokerConfig } from '../../../../core/kafka/config';
import { formatLogEntry, kafkaLogCreator, redactSecrets } from '../../../../core/kafka/log';
import { logLevel } from 'kafkajs';

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, extra);
}

test('kafkajs errors are classified with a retry verdict', () => {
  assert.deepEqual(pick(toKafkaError(named('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA256 authentication failed'))), ['auth', false]);
  assert.deepEqual(pick(toKafkaError(named('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED'))), ['connection', true]);
  const wrapped = named('KafkaJSNumberOfRetriesExceeded', 'retries', { originalError: named('KafkaJSConnectionError', 'ECONNREFUSED') });
  assert.deepEqual(pick(toKafkaError(wrapped)), ['connection', true]);
  assert.deepEqual(pick(toKafkaError(named('KafkaJSProtocolError', 'not authorized', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }))), ['auth', false]);
  assert.deepEqual(pick(toKafkaError(named('KafkaJSProtocolError', 'leader moved', { type: 'NOT_LEADER_FOR_PARTITION', retriable: true }))), ['broker', true]);
});

function pick(error: { kind: string; retriable: boolean }): [string, boolean] {
  return [error.kind, error.retriable];
}

test('broker lists, SASL mechanisms and TLS options are validated', () => {
  assert.deepEqual(parseBrokerList('a:9092, b:9093'), ['a:9092', 'b:9093']);
  assert.throws(() => parseBrokerList('localhost'), /not host:port/);
  assert.throws(() => parseBrokerList(' '), /no brokers/);
  assert.equal(parseSaslMechanism('SCRAM-SHA-512'), 'scram-sha-512');
  assert.throws(() => parseSaslMechanism('gssapi'), /not one of/);
  assert.equal(tlsOptions({}).rejectUnauthorized, true);
  assert.equal(tlsOptions({ verify: false }).rejectUnauthorized, false);
  assert.throws(() => tlsOptions({ cert: '-----BEGIN CERTIFICATE-----' }), /together/);
  assert.throws(() => tlsOptions({ ca: '/nonexistent/ca.pem' }), /cannot read/);
});

test('descriptions and log lines never carry a password', () => {
  const text = describeBrokerConfig({ brokers: ['h:1'], sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' } });
  assert.ok(!text.includes('hunter2'));
  assert.equal(redactSecrets('password=hunter2 user=x'), 'password=*** user=x');
  const line = formatLogEntry({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: '', message: 'boom', broker: 'h:1', sasl: { password: 'hunter2' } } });
  assert.equal(line, 'kafkajs Connection: boom (broker=h:1)');
});

test('kafkajs log entries land at their own level', () => {
  const lines: string[] = [];
  const logger = { error: (l: string) => lines.push(`error ${l}`), warn: (l: string) => lines.push(`warn ${l}`), info: (l: string) => lines.push(`info ${l}`), debug: (l: string) => lines.push(`debug ${l}`) };
  const log = kafkaLogCreator(logger)(logLevel.INFO);
  const entry = (level: logLevel, message: string) => ({ namespace: 'Consumer', level, label: '', log: { timestamp: '', message } });
  log(entry(logLevel.ERROR, 'e'));
  log(entry(logLevel.WARN, 'w'));
  log(entry(logLevel.INFO, 'i'));
  log(entry(logLevel.DEBUG, 'd'));
  log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
  assert.deepEqual(lines.map((line) => line.split(' ')[0]), ['error', 'warn', 'info', 'debug', 'debug']);
});
