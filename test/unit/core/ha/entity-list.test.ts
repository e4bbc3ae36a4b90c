import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meterCandidates } from '../../../../core/ha/entity-list';
import { bucketModeOf, kindOf } from '../../../../core/ha/meter-entity';

const states = [
  { entity_id: 'sensor.energy', state: '12.5', attributes: { device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' } },
  { entity_id: 'sensor.freezer', state: '-18.2', attributes: { device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement', friendly_name: 'Freezer' } },
  { entity_id: 'sensor.co2', state: 'unavailable', attributes: { device_class: 'carbon_dioxide', unit_of_measurement: 'ppm', state_class: 'measurement' } },
  { entity_id: 'sensor.cpu', state: '7', attributes: { unit_of_measurement: '%' } },
  { entity_id: 'sensor.weather', state: 'sunny', attributes: {} },
  { entity_id: 'binary_sensor.door', state: 'on', attributes: {} },
  { entity_id: 'person.anna', state: 'home', attributes: { latitude: 1, longitude: 2 } },
];

describe('the entity picker', () => {
  it('offers numeric sensors (meters, measurements, plain numbers) and trackers, not text sensors or binary sensors', () => {
    assert.deepEqual(
      meterCandidates(states).map((choice) => choice.entity_id),
      ['person.anna', 'sensor.co2', 'sensor.cpu', 'sensor.energy', 'sensor.freezer'],
    );
    assert.deepEqual(meterCandidates(states).find((choice) => choice.entity_id === 'sensor.freezer'), {
      entity_id: 'sensor.freezer',
      name: 'Freezer',
      device_class: 'temperature',
      unit: '°C',
      state_class: 'measurement',
    });
  });

  it('filters by device class when asked', () => {
    assert.deepEqual(
      meterCandidates(states, ['temperature']).map((choice) => choice.entity_id),
      ['person.anna', 'sensor.freezer'],
    );
  });
});

describe('kind and bucketing of a sensor', () => {
  it('a temperature is kind other, bucketed by its mean; a total_increasing "other" as a meter; no state class: raw only', () => {
    assert.equal(kindOf('sensor.freezer', 'temperature', '°C'), 'other');
    assert.equal(kindOf('sensor.x', undefined, 'kWh'), 'energy');
    assert.equal(bucketModeOf('other', 'measurement'), 'mean');
    assert.equal(bucketModeOf('other', 'total_increasing'), 'cumulative');
    assert.equal(bucketModeOf('other', undefined), undefined);
    assert.equal(bucketModeOf('energy', 'measurement'), 'cumulative');
    assert.equal(bucketModeOf('power', 'measurement'), 'rate');
    assert.equal(bucketModeOf('location', 'measurement'), undefined);
  });
});
