import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StreamSmartsError } from '../../../core/errors';
import { kindOf, numericState } from '../../../core/ha/meter-entity';
import { readingKinds } from '../../../core/reading';
import {
  acceptedUnits,
  canonicalUnits,
  clockTime,
  conversionOf,
  dayMs,
  haversineKm,
  hourMs,
  hourOfDay,
  isCumulativeKind,
  meterUnitsByDimension,
  minuteMs,
  rateUnitOf,
  readableQuantity,
  toMeterUnit,
  unitFactor,
  UnitError,
  weekMs,
} from '../../../core/units';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);

describe('units: canonical units and conversions', () => {
  it('has one canonical unit per kind: Wh, W, L, m³, km, and none for other', () => {
    assert.deepEqual(canonicalUnits, { energy: 'Wh', power: 'W', water: 'L', gas: 'm³', location: 'km', other: '' });
  });

  it('converts every accepted unit to its canonical one', () => {
    const expected: Array<[(typeof readingKinds)[number], string, number, string]> = [
      ['energy', 'Wh', 1, 'Wh'], ['energy', 'kWh', 1000, 'Wh'], ['energy', 'MWh', 1e6, 'Wh'], ['energy', 'GWh', 1e9, 'Wh'],
      ['energy', 'J', 1 / 3600, 'Wh'], ['energy', 'kJ', 1 / 3.6, 'Wh'], ['energy', 'MJ', 1000 / 3.6, 'Wh'], ['energy', 'GJ', 1e6 / 3.6, 'Wh'],
      ['power', 'W', 1, 'W'], ['power', 'kW', 1000, 'W'], ['power', 'MW', 1e6, 'W'], ['power', 'mW', 0.001, 'W'],
      ['water', 'L', 1, 'L'], ['water', 'l', 1, 'L'], ['water', 'mL', 0.001, 'L'], ['water', 'm³', 1000, 'L'], ['water', 'm3', 1000, 'L'],
      ['water', 'ft³', 28.316846592, 'L'], ['water', 'ft3', 28.316846592, 'L'], ['water', 'CCF', 2831.6846592, 'L'], ['water', 'gal', 3.785411784, 'L'],
      ['gas', 'm³', 1, 'm³'], ['gas', 'm3', 1, 'm³'], ['gas', 'L', 0.001, 'm³'], ['gas', 'ft³', 0.028316846592, 'm³'], ['gas', 'CCF', 2.8316846592, 'm³'],
      ['gas', 'kWh', 1000, 'Wh'], ['gas', 'Wh', 1, 'Wh'], ['gas', 'MWh', 1e6, 'Wh'],
      ['location', 'km', 1, 'km'], ['location', 'm', 0.001, 'km'], ['location', 'mi', 1.609344, 'km'],
    ];
    for (const [kind, unit, factor, canonical] of expected) {
      const conversion = conversionOf(kind, unit);
      assert.ok(conversion, `${kind} in ${unit}`);
      close(conversion.factor, factor);
      assert.equal(conversion.unit, canonical, `${kind} in ${unit}`);
    }
    assert.equal(acceptedUnits('gas').length, acceptedUnits('water').length + acceptedUnits('energy').length);
  });

  it('round-trips every accepted unit of every kind', () => {
    for (const kind of readingKinds) {
      for (const unit of acceptedUnits(kind)) {
        const factor = unitFactor(kind, unit);
        close((123.456 * factor) / factor, 123.456);
        const there = conversionOf(kind, unit) as { factor: number; unit: string };
        close(123.456 * there.factor / unitFactor(kind, there.unit), 123.456 * there.factor);
      }
    }
  });

  it('matches a unit case-insensitively only when one unit fits', () => {
    assert.equal(unitFactor('energy', 'kwh'), 1000);
    assert.equal(conversionOf('power', 'mw'), undefined);
    assert.equal(unitFactor('power', 'MW'), 1e6);
    assert.equal(unitFactor('power', 'mW'), 0.001);
  });

  it('rejects a unit that does not fit the kind with a UnitError that is never retriable', () => {
    assert.equal(conversionOf('water', 'kWh'), undefined);
    assert.equal(conversionOf('power', '°C'), undefined);
    assert.throws(() => unitFactor('gas', 'furlongs'), (error: unknown) => error instanceof UnitError && error instanceof StreamSmartsError && !error.retriable && /furlongs.*m³ or Wh/.test(error.message));
  });

  it('takes a reading without a unit as canonical, and keeps the unit of other', () => {
    assert.equal(unitFactor('energy', ''), 1);
    assert.deepEqual(conversionOf('other', '°C'), { factor: 1, unit: '°C' });
  });

  it('says which kinds are meter totals and what their rate is in', () => {
    assert.deepEqual(readingKinds.filter(isCumulativeKind), ['energy', 'water', 'gas']);
    assert.equal(rateUnitOf('energy', 'kWh'), 'W');
    assert.equal(rateUnitOf('power', 'kW'), 'W');
    assert.equal(rateUnitOf('water', 'gal'), 'L/h');
    assert.equal(rateUnitOf('gas', 'ft³'), 'm³/h');
    assert.equal(rateUnitOf('gas', 'kWh'), 'W');
  });
});

describe('units: what the meter emits', () => {
  it('normalises to kWh, W, L, m³ (gas metered in energy stays kWh)', () => {
    assert.deepEqual(toMeterUnit(1500, 'Wh', 'energy'), { value: 1.5, unit: 'kWh', kind: 'energy' });
    assert.deepEqual(toMeterUnit(2, 'MWh', 'energy'), { value: 2000, unit: 'kWh', kind: 'energy' });
    assert.deepEqual(toMeterUnit(1.2, 'kW', 'power'), { value: 1200, unit: 'W', kind: 'power' });
    assert.deepEqual(toMeterUnit(0.5, 'm³', 'water'), { value: 500, unit: 'L', kind: 'water' });
    assert.deepEqual(toMeterUnit(250, 'L', 'gas'), { value: 0.25, unit: 'm³', kind: 'gas' });
    assert.deepEqual(toMeterUnit(3, 'kWh', 'gas'), { value: 3, unit: 'kWh', kind: 'gas' });
  });

  it('asks Home Assistant statistics for the meter units, per unit class (gas: m³ or kWh)', () => {
    assert.deepEqual(meterUnitsByDimension('energy'), { energy: 'kWh' });
    assert.deepEqual(meterUnitsByDimension('power'), { power: 'W' });
    assert.deepEqual(meterUnitsByDimension('water'), { volume: 'L' });
    assert.deepEqual(meterUnitsByDimension('gas'), { volume: 'm³', energy: 'kWh' });
    assert.deepEqual(meterUnitsByDimension('location'), { distance: 'km' });
    assert.deepEqual(meterUnitsByDimension('other'), {});
    for (const kind of readingKinds) {
      for (const unit of Object.values(meterUnitsByDimension(kind))) assert.equal(toMeterUnit(1, unit, kind)?.unit, unit, `${kind} ${unit}`);
    }
  });

  it('rejects units that do not fit the kind, and a missing unit', () => {
    assert.equal(toMeterUnit(1, 'kWh', 'water'), undefined);
    assert.equal(toMeterUnit(1, '°C', 'power'), undefined);
    assert.equal(toMeterUnit(1, '', 'energy'), undefined);
  });

  it('emits only units the scoring side converts', () => {
    for (const kind of readingKinds) {
      for (const unit of acceptedUnits(kind)) {
        const emitted = toMeterUnit(1, unit, kind) as { unit: string };
        assert.doesNotThrow(() => unitFactor(kind, emitted.unit), `${kind} ${unit} → ${emitted.unit}`);
      }
    }
  });

  it('derives kinds from domain, device class and unit', () => {
    assert.equal(kindOf('person.anna', undefined, undefined), 'location');
    assert.equal(kindOf('device_tracker.phone', 'gps', undefined), 'location');
    assert.equal(kindOf('sensor.x', 'water', 'L'), 'water');
    assert.equal(kindOf('sensor.x', undefined, 'kWh'), 'energy');
    assert.equal(kindOf('sensor.x', undefined, 'W'), 'power');
    assert.equal(kindOf('sensor.x', 'temperature', '°C'), 'other');
  });

  it('parses numeric states only', () => {
    assert.equal(numericState('12.5'), 12.5);
    assert.equal(numericState('unavailable'), undefined);
    assert.equal(numericState('unknown'), undefined);
    assert.equal(numericState(''), undefined);
    assert.equal(numericState('on'), undefined);
  });
});

describe('units: distance and time', () => {
  it('gives great-circle distances in km', () => {
    assert.equal(haversineKm({ latitude: 51.5, longitude: -0.1 }, { latitude: 51.5, longitude: -0.1 }), 0);
    close(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 1 }), (Math.PI / 180) * 6371.0088);
    const londonParis = haversineKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 });
    assert.ok(londonParis > 342 && londonParis < 345, `${londonParis}`);
    close(haversineKm({ latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 }), Math.PI * 6371.0088);
  });

  it('has the time constants', () => {
    assert.equal(minuteMs, 60_000);
    assert.equal(hourMs, 3_600_000);
    assert.equal(dayMs, 24 * hourMs);
    assert.equal(weekMs, 7 * dayMs);
  });

  it('gives the local hour of day, and the hour in a named zone across a DST change', () => {
    const local = new Date(2026, 2, 10, 14, 30).getTime();
    assert.equal(hourOfDay(local), 14);
    assert.equal(clockTime(new Date(2026, 2, 10, 2, 5).getTime()), '02:05');
    // 29 March 2026, Europe/London: clocks go 01:00 GMT → 02:00 BST, so hour 1 never happens
    const hours = Array.from({ length: 4 }, (_, i) => hourOfDay(Date.UTC(2026, 2, 28, 23, 30) + i * hourMs, 'Europe/London'));
    assert.deepEqual(hours, [23, 0, 2, 3]);
    // 25 October 2026: 01:00 happens twice
    const autumn = Array.from({ length: 3 }, (_, i) => hourOfDay(Date.UTC(2026, 9, 24, 23, 30) + i * hourMs, 'Europe/London'));
    assert.deepEqual(autumn, [0, 1, 1]);
    assert.equal(hourOfDay(Date.UTC(2026, 6, 1, 12), 'UTC'), 12);
  });
});

describe('units: numbers as a person reads them', () => {
  it('shows Wh and W as kWh and kW once either the value or the expected reaches 1000, both in the same unit', () => {
    assert.deepEqual(readableQuantity({ value: 3100, expected: 310, unit: 'Wh' }), { value: 3.1, expected: 0.31, unit: 'kWh' });
    assert.deepEqual(readableQuantity({ value: 500, expected: 1500, unit: 'Wh' }), { value: 0.5, expected: 1.5, unit: 'kWh' });
    assert.deepEqual(readableQuantity({ value: 2400, expected: 300, unit: 'W' }), { value: 2.4, expected: 0.3, unit: 'kW' });
    assert.deepEqual(readableQuantity({ value: -1200, expected: 0, unit: 'W' }), { value: -1.2, expected: 0, unit: 'kW' });
    assert.deepEqual(readableQuantity({ value: 300, expected: 236, unit: 'Wh' }), { value: 300, expected: 236, unit: 'Wh' });
    assert.deepEqual(readableQuantity({ value: 1500, expected: 20, unit: 'L' }), { value: 1500, expected: 20, unit: 'L' });
    assert.deepEqual(readableQuantity({ value: 3.1, expected: 0.3, unit: 'kWh' }), { value: 3.1, expected: 0.3, unit: 'kWh' });
  });
});
