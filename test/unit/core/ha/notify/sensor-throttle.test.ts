import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensorThrottle } from '../../../../../core/ha/notify/sensor-throttle';

function throttle(intervalMs: number, clock: { now: number }) {
  const due: Array<[string, number]> = [];
  const subject = new SensorThrottle<number>(intervalMs, () => clock.now, (entityId, item) => due.push([entityId, item]));
  return { subject, due };
}

const wallClock = {
  get now(): number {
    return Date.now();
  },
};
const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SensorThrottle', () => {
  it('sends the first update of each entity at once and holds the next normal one inside the interval', () => {
    const clock = { now: 0 };
    const { subject } = throttle(1000, clock);
    assert.equal(subject.offer('sensor.a', 1, false), true);
    assert.equal(subject.offer('sensor.b', 1, false), true);
    clock.now = 10;
    assert.equal(subject.offer('sensor.a', 2, false), false);
    assert.equal(subject.size, 1);
    clock.now = 1000;
    assert.equal(subject.offer('sensor.a', 3, false), true, 'an interval later a normal update goes again');
    assert.equal(subject.size, 0, 'the held older update is dropped for the newer one');
    subject.stop();
  });

  it('never holds an anomaly, nor the first normal update after one (the return below 1)', () => {
    const clock = { now: 0 };
    const { subject } = throttle(1000, clock);
    subject.offer('sensor.a', 1, false);
    clock.now = 1;
    assert.equal(subject.offer('sensor.a', 2, true), true);
    clock.now = 2;
    assert.equal(subject.offer('sensor.a', 3, true), true);
    clock.now = 3;
    assert.equal(subject.offer('sensor.a', 4, false), true);
    clock.now = 4;
    assert.equal(subject.offer('sensor.a', 5, false), false);
    subject.stop();
  });

  it('sends the newest held update when the interval ends', async () => {
    const { subject, due } = throttle(40, wallClock);
    subject.offer('sensor.a', 1, false);
    subject.offer('sensor.a', 2, false);
    subject.offer('sensor.a', 3, false);
    await waitMs(120);
    assert.deepEqual(due, [['sensor.a', 3]]);
    subject.stop();
  });

  it('drops what it holds on stop', async () => {
    const { subject, due } = throttle(30, wallClock);
    subject.offer('sensor.a', 1, false);
    subject.offer('sensor.a', 2, false);
    subject.stop();
    await waitMs(80);
    assert.deepEqual(due, []);
  });
});
