import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StreamSmartsError, isRetriable } from '../../../core/errors';
import { maxFriendlyNameLength, parseReading, ReadingError } from '../../../core/reading';

describe('parseReading', () => {
  it('turns a seed record into a Wh reading of seed.power at that hour today', () => {
    const now = new Date(2026, 10, 27, 15, 30);
    const reading = parseReading({ hour: 4, mwh: 321 }, { now });
    assert.equal(reading.entity_id, 'seed.power');
    assert.equal(reading.value, 321);
    assert.equal(reading.unit, 'Wh');
    assert.equal(reading.hour, 4);
    assert.equal(reading.ts, new Date(2026, 10, 27, 4, 0).getTime());
    assert.equal(parseReading({ hour: 9, kwh: 1500 }, { now, seedEntityId: 'x.y' }).entity_id, 'x.y');
  });

  it('keeps a full reading and derives hour from ts when missing', () => {
    const ts = new Date(2026, 0, 2, 13, 0).getTime();
    const reading = parseReading({ entity_id: 'sensor.a', ts, value: 1.5, unit: 'kWh', kind: 'energy', interval_s: 3600 });
    assert.deepEqual(reading, { entity_id: 'sensor.a', ts, value: 1.5, unit: 'kWh', kind: 'energy', hour: 13, interval_s: 3600 });
  });

  it('names the bad field', () => {
    assert.throws(() => parseReading({ entity_id: 'sensor.a', ts: 1, value: 'x' }), (e: unknown) => e instanceof ReadingError && /'value'/.test(e.message));
    assert.throws(() => parseReading({ hour: 24, mwh: 1 }), /'hour' must be an integer 0-23/);
    assert.throws(() => parseReading([1]), /JSON object/);
    assert.throws(() => parseReading({ entity_id: 'a', ts: 1, value: 1, kind: 'heat' }), /'kind'/);
  });

  it('refuses a full reading whose hour is outside 0..23 or not an integer, with a ReadingError', () => {
    const base = { entity_id: 'sensor.h', ts: Date.UTC(2026, 0, 5, 12), value: 1, unit: 'kWh', kind: 'energy' };
    for (const hour of [-1, 24, 25, 3.5, 1e9]) {
      assert.throws(() => parseReading({ ...base, hour }), (e: unknown) => e instanceof ReadingError && /'hour' must be an integer 0-23, got /.test(e.message), `hour ${hour}`);
    }
    assert.throws(() => parseReading({ ...base, hour: '7' }), (e: unknown) => e instanceof ReadingError && /'hour' must be a finite number/.test(e.message));
    assert.equal(parseReading({ ...base, hour: 0 }).hour, 0);
    assert.equal(parseReading({ ...base, hour: 23 }).hour, 23);
  });

  it('refuses with a ReadingError from the one error base, never retriable', () => {
    assert.throws(
      () => parseReading({ entity_id: '', ts: 1, value: 1 }),
      (e: unknown) => e instanceof ReadingError && e instanceof StreamSmartsError && e instanceof Error && e.name === 'ReadingError' && !e.retriable && !isRetriable(e),
    );
  });
});

describe('friendly_name', () => {
  it('travels with a reading, trimmed and bounded; a blank or non-string one is left out', () => {
    const base = { entity_id: 'sensor.e', ts: 0, value: 1, unit: 'kWh', kind: 'energy' };
    assert.equal(parseReading({ ...base, friendly_name: '  Home energy ' }).friendly_name, 'Home energy');
    assert.equal(parseReading({ ...base, friendly_name: 'x'.repeat(1000) }).friendly_name?.length, maxFriendlyNameLength);
    assert.equal('friendly_name' in parseReading({ ...base, friendly_name: '   ' }), false);
    assert.equal('friendly_name' in parseReading({ ...base, friendly_name: 42 }), false);
  });
});
