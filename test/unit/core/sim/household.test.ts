import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createHousehold, simulateHours, type SimHour } from '../../../../core/sim';

const winterMonday = new Date(2026, 0, 5).getTime();
const summerMonday = new Date(2026, 6, 6).getTime();

function mean(hours: SimHour[], keep: (hour: SimHour) => boolean): number {
  const chosen = hours.filter(keep);
  assert.ok(chosen.length > 0);
  return chosen.reduce((sum, hour) => sum + hour.kwh, 0) / chosen.length;
}

function dailyTotals(hours: SimHour[]): number[] {
  const totals: number[] = [];
  for (let i = 0; i + 24 <= hours.length; i += 24) totals.push(hours.slice(i, i + 24).reduce((sum, h) => sum + h.kwh, 0));
  return totals;
}

describe('simulated household', () => {
  const fourWeeks = simulateHours(createHousehold({ seed: 7 }), winterMonday, 28 * 24);

  it('is seeded: the same seed gives the same hours, in any order; another seed another home', () => {
    const again = createHousehold({ seed: 7 });
    const backwards = [...fourWeeks].reverse().map((hour) => again.hourAt(hour.start));
    assert.deepEqual(backwards.reverse(), fourWeeks);
    const other = simulateHours(createHousehold({ seed: 8 }), winterMonday, 28 * 24);
    assert.notDeepEqual(other.map((h) => h.kwh), fourWeeks.map((h) => h.kwh));
  });

  it('uses less at night than in the evening', () => {
    const night = mean(fourWeeks, (h) => h.hour >= 2 && h.hour <= 4);
    const evening = mean(fourWeeks, (h) => h.hour >= 18 && h.hour <= 21);
    assert.ok(night * 4 < evening, `night ${night.toFixed(3)} vs evening ${evening.toFixed(3)}`);
  });

  it('never drops below the always-on load and sits near it at night', () => {
    const { baseLoadW, fridge } = createHousehold().params;
    for (const hour of fourWeeks) assert.ok(hour.kwh >= baseLoadW / 1000, `hour ${hour.hour}: ${hour.kwh}`);
    const night = mean(fourWeeks, (h) => h.hour === 3);
    assert.ok(night < (baseLoadW + fridge.compressorW) / 1000 + 0.05, `3 am ${night}`);
  });

  it('has a weekly shape: weekday middays (out at work) are quieter than weekend middays', () => {
    const weekday = mean(fourWeeks, (h) => !h.weekend && h.hour >= 10 && h.hour <= 14);
    const weekend = mean(fourWeeks, (h) => h.weekend && h.hour >= 10 && h.hour <= 14);
    assert.ok(weekday * 2 < weekend, `weekday ${weekday.toFixed(3)} vs weekend ${weekend.toFixed(3)}`);
    assert.equal(fourWeeks.filter((h) => h.weekend).length, 8 * 24);
  });

  it('runs the appliances at plausible hours', () => {
    const used = (part: keyof SimHour['parts']) => fourWeeks.filter((h) => (h.parts[part] ?? 0) > 0);
    for (const part of ['kettle', 'cooking', 'washing', 'dishwasher', 'fridge', 'heater'] as const) {
      assert.ok(used(part).length > 0, `${part} never ran`);
    }
    assert.ok(used('cooking').every((h) => h.hour >= 11 && h.hour <= 21), 'cooking outside meal times');
    assert.ok(used('kettle').every((h) => h.hour >= 7 && h.hour <= 21), 'kettle at night');
    assert.equal(used('ev').length, 0, 'no car unless configured');
    assert.equal(used('fridge').length, fourWeeks.length, 'the fridge cycles every hour');
  });

  it('uses a plausible 8-30 kWh a day, more in winter (heater) than in summer', () => {
    const winter = dailyTotals(fourWeeks);
    const summer = dailyTotals(simulateHours(createHousehold({ seed: 7 }), summerMonday, 28 * 24));
    for (const total of [...winter, ...summer]) assert.ok(total > 5 && total < 30, `day of ${total.toFixed(1)} kWh`);
    const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(average(winter) > average(summer) + 3, `winter ${average(winter)} summer ${average(summer)}`);
    const noHeater = dailyTotals(simulateHours(createHousehold({ seed: 7, heater: null }), winterMonday, 28 * 24));
    assert.ok(Math.abs(average(noHeater) - average(summer)) < 3);
  });

  it('is noisy: the same hour of two working days differs', () => {
    const tuesdays = fourWeeks.filter((h) => new Date(h.start).getDay() === 2 && h.hour === 20).map((h) => h.kwh);
    assert.equal(tuesdays.length, 4);
    assert.ok(new Set(tuesdays).size === 4);
  });

  it('charges an electric car overnight when it has one', () => {
    const ev = simulateHours(createHousehold({ seed: 7, ev: { kw: 7, kwhPerSession: 14, sessionsPerWeek: 3, startHour: 23 } }), winterMonday, 28 * 24);
    const charging = ev.filter((h) => (h.parts.ev ?? 0) > 0);
    assert.ok(charging.length > 0);
    assert.ok(charging.every((h) => h.hour >= 23 || h.hour <= 3), 'charging outside the night');
    const total = charging.reduce((sum, h) => sum + (h.parts.ev ?? 0), 0);
    const sessions = Math.round(total / 14);
    assert.ok(sessions >= 4 && sessions <= 22, `${sessions} sessions in four weeks`);
  });

  it('refuses an activity profile that is not 24 hours', () => {
    assert.throws(() => createHousehold({ activity: { weekday: [1, 2], weekend: [] } }), /24 hourly values/);
  });
});
