import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from '../../../../core/kafka/log';

function levelsOf(entries: Array<{ level: logLevel; message: string; error?: string }>): string[] {
  const lines: string[] = [];
  const logger = { error: (l: string) => lines.push(`error ${l}`), warn: (l: string) => lines.push(`warn ${l}`), info: (l: string) => lines.push(`info ${l}`), debug: (l: string) => lines.push(`debug ${l}`) };
  const log = kafkaLogCreator(logger)(logLevel.INFO);
  for (const { level, message, error } of entries) log({ namespace: 'Connection', level, label: '', log: { timestamp: '', message, ...(error ? { error } : {}) } });
  return lines.map((line) => line.split(' ')[0] ?? '');
}

test('the metadata errors kafkajs retries itself while a topic is auto-created are debug, not error', () => {
  assert.deepEqual(
    levelsOf([
      { level: logLevel.ERROR, message: 'Response Metadata(key: 3, version: 6)', error: 'This server does not host this topic-partition' },
      { level: logLevel.ERROR, message: 'Response Metadata(key: 3, version: 6)', error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' },
      { level: logLevel.ERROR, message: 'Failed to send messages: This server does not host this topic-partition' },
      { level: logLevel.ERROR, message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing, so a rejoin is needed' },
      { level: logLevel.WARN, message: 'The group is rebalancing, re-joining' },
    ]),
    ['debug', 'debug', 'debug', 'debug', 'info'],
  );
});

test('other broker errors keep their level', () => {
  assert.deepEqual(
    levelsOf([
      { level: logLevel.ERROR, message: 'Response Produce(key: 0, version: 7)', error: 'Not authorized to access topics: [Topic authorization failed]' },
      { level: logLevel.ERROR, message: 'Failed to send messages: Not authorized to access topics' },
      { level: logLevel.WARN, message: 'Consumer group received unsubscribed topics' },
    ]),
    ['error', 'error', 'warn'],
  );
});
