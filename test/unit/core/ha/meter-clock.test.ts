import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaConfigError } from '../../../../core/ha/errors';
import { formatMeterClock, parseMeterClock, simulatedClock, wallClock } from '../../../../core/ha/meter-clock';

describe('the meter clock', () => {
  const wallStart = Date.UTC(2026, 11, 3, 18, 0, 30);
  const simulatedStart = Date.UTC(2026, 11, 3, 18, 0, 0);

  it('is the wall clock unless a simulated one is set', () => {
    assert.equal(parseMeterClock(undefined), wallClock);
    assert.equal(parseMeterClock('  '), wallClock);
    assert.equal(wallClock.fromWall(1234), 1234);
    assert.equal(wallClock.toWall(1234), 1234);
  });

  it('a simulated clock stands at its start until its wall start, then passes an hour per 5 s at speed 720, both ways', () => {
    const clock = simulatedClock({ wallStart, simulatedStart, speed: 720 });
    assert.equal(clock.wall, false);
    assert.equal(clock.fromWall(wallStart - 60_000), simulatedStart);
    assert.equal(clock.fromWall(wallStart + 5000), simulatedStart + 3_600_000);
    assert.equal(clock.toWall(simulatedStart + 3 * 3_600_000), wallStart + 15_000);
  });

  it('travels as the text npm start puts in STREAM_SMARTS_METER_CLOCK', () => {
    const text = formatMeterClock({ wallStart, simulatedStart, speed: 720 });
    assert.equal(text, 'speed=720 wall=2026-12-03T18:00:30.000Z start=2026-12-03T18:00:00.000Z');
    const clock = parseMeterClock(text);
    assert.equal(clock.fromWall(wallStart + 2500), simulatedStart + 1_800_000);
  });

  it('a setting it cannot read is a clear configuration error', () => {
    assert.throws(() => parseMeterClock('fast'), (error: unknown) => error instanceof HaConfigError && /is not 'speed=N wall=ISO start=ISO'/.test(error.message));
    assert.throws(() => parseMeterClock('speed=720 wall=yesterday start=2026-12-03T18:00:00Z'), /needs wall=<ISO time>/);
    assert.throws(() => parseMeterClock('speed=0 wall=2026-12-03T18:00:30Z start=2026-12-03T18:00:00Z'), /speed must be a positive number, got 0/);
    assert.throws(() => parseMeterClock('wall=2026-12-03T18:00:30Z start=2026-12-03T18:00:00Z'), /speed must be a positive number, got NaN/);
  });
});
