import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityStreamDecoder } from '../../../../core/ha/entity-stream';

describe('EntityStreamDecoder', () => {
  it('decodes additions and applies changes onto the known attributes', () => {
    const decoder = new EntityStreamDecoder();
    const [added] = decoder.decode({ a: { 'sensor.e': { s: '10', a: { unit_of_measurement: 'kWh', device_class: 'energy' }, c: 'x', lc: 1700000000.5 } } });
    assert.deepEqual(added, { entity_id: 'sensor.e', state: '10', attributes: { unit_of_measurement: 'kWh', device_class: 'energy' }, ts: 1700000000500, snapshot: true });
    const [changed] = decoder.decode({ c: { 'sensor.e': { '+': { s: '11', lu: 1700000060, a: { friendly_name: 'E' } } } } });
    assert.equal(changed?.state, '11');
    assert.equal(changed?.ts, 1700000060000);
    assert.deepEqual(changed?.attributes, { unit_of_measurement: 'kWh', device_class: 'energy', friendly_name: 'E' });
    const [removed] = decoder.decode({ c: { 'sensor.e': { '+': { lu: 1700000061 }, '-': { a: ['friendly_name'] } } } });
    assert.equal(removed?.state, '11');
    assert.equal('friendly_name' in (removed?.attributes ?? {}), false);
  });

  it('ignores changes for entities it never saw added', () => {
    const decoder = new EntityStreamDecoder();
    assert.deepEqual(decoder.decode({ c: { 'sensor.x': { '+': { s: '1', lu: 1 } } } }), []);
  });
});
