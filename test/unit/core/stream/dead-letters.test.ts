import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { deadLetterRecord } from '../../../../core/stream/dead-letters';
import { consumed } from './fixtures';

test('a dead letter is the message as it came, with why and where from in its headers', () => {
  const message = consumed(41, Buffer.from([0xff, 0x00]), 'sensor.a', 3);
  const record = deadLetterRecord('in-dlq', message, 'neither Avro nor JSON');
  assert.equal(record.topic, 'in-dlq');
  assert.equal(record.key, message.key);
  assert.equal(record.value, message.value);
  assert.deepEqual(record.headers, { origin: 'test', 'x-error': 'neither Avro nor JSON', 'x-source-topic': 'in', 'x-source-partition': '3', 'x-source-offset': '41' });
});
