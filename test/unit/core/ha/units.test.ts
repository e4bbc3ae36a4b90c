import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindOf, normalise, numericState } from '../../../../core/ha/units';

describe('units', () => {
  it('normalises energy to kWh, power to W, water to L, gas to m³', () => {
    assert.deepEqual(normalise(1500, 'Wh', 'energy'), { value: 1.5, unit: 'kWh', kind: 'energy' });
    assert.deepEqual(normalise(2, 'MWh', 'energy'), { value: 2000, unit: 'kWh', kind: 'energy' });
    assert.deepEqual(normalise(1.2, 'kW', 'power'), { value: 1200, unit: 'W', kind: 'power' });
    assert.deepEqual(normalise(0.5, 'm³', 'water'), { value: 500, unit: 'L', kind: 'water' });
    assert.deepEqual(normalise(250, 'L', 'gas'), { value: 0.25, unit: 'm³', kind: 'gas' });
    assert.deepEqual(normalise(3, 'kWh', 'gas'), { value: 3, unit: 'kWh', kind: 'gas' });
  });

  it('refuses a unit that does not fit the kind', () => {
    assert.equal(normalise(1, 'kWh', 'water'), undefined);
    assert.equal(normalise(1, '°C', 'power'), undefined);
  });

  it('tells the kind from domain, device class, then unit', () => {
    assert.equal(kindOf('person.anna', undefined, undefined), 'location');
    assert.equal(kindOf('device_tracker.phone', 'gps', undefined), 'location');
    assert.equal(kindOf('sensor.x', 'water', 'L'), 'water');
    assert.equal(kindOf('sensor.x', undefined, 'kWh'), 'energy');
    assert.equal(kindOf('sensor.x', undefined, 'W'), 'power');
    assert.equal(kindOf('sensor.x', 'temperature', '°C'), 'other');
  });

  it('parses numeric states and rejects unavailable, unknown and text', () => {
    assert.equal(numericState('12.5'), 12.5);
    assert.equal(numericState('unavailable'), undefined);
    assert.equal(numericState('unknown'), undefined);
    assert.equal(numericState(''), undefined);
    assert.equal(numericState('on'), undefined);
  });
});
