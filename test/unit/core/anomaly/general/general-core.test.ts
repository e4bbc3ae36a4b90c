import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GeneralCore } from '../../../../../core/anomaly/general/general-core';

const minute = 60_000;
const t0 = Date.UTC(2026, 0, 5);

/** A fridge-like temperature: a daily wave, a little noise, one reading every 10 minutes (seeded). */
function temperature(count: number, seed = 7): number[] {
  let x = seed;
  const noise = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, (_, i) => 4 + Math.sin((i * 2 * Math.PI) / 144) * 0.8 + noise() * 0.3);
}

function run(core: GeneralCore, values: readonly number[], from = 0): { scores: number[]; reasons: string[] } {
  const scores: number[] = [];
  const reasons: string[] = [];
  values.forEach((value, i) => {
    const result = core.step(t0 + (from + i) * 10 * minute, value);
    scores.push(result.score);
    reasons.push(result.reason);
  });
  return { scores, reasons };
}

describe('general detector', () => {
  it('a quiet series raises no alert over a week', () => {
    const { scores } = run(new GeneralCore(), temperature(7 * 144));
    assert.equal(scores.filter((score) => score > 1).length, 0, `max score ${Math.max(...scores).toFixed(2)}`);
  });

  it('a spike alerts at once, and a dip does too (alerts go both ways)', () => {
    const values = temperature(4 * 144);
    values[3 * 144] = 14;
    values[3 * 144 + 60] = -6;
    const { scores } = run(new GeneralCore(), values);
    assert.ok((scores[3 * 144] as number) > 1, `spike scored ${scores[3 * 144]}`);
    assert.ok((scores[3 * 144 + 60] as number) > 1, `dip scored ${scores[3 * 144 + 60]}`);
  });

  it('a level shift (the door left open: +3 degrees and staying) alerts within two hours', () => {
    const values = temperature(5 * 144).map((value, i) => (i >= 4 * 144 ? value + 3 : value));
    const { scores } = run(new GeneralCore(), values);
    const first = scores.findIndex((score, i) => i >= 4 * 144 && score > 1);
    assert.ok(first >= 4 * 144 && first < 4 * 144 + 12, `first alert ${first - 4 * 144} readings after the shift`);
  });

  it('a signal that goes flat (the same value again and again) is reported as stuck', () => {
    const values = temperature(5 * 144).map((value, i) => (i >= 4 * 144 ? 4.2 : value));
    const { scores, reasons } = run(new GeneralCore(), values);
    const alerted = scores.map((score, i) => (score > 1 ? reasons[i] : null)).filter((reason) => reason !== null);
    assert.ok(alerted.includes('stuck'), `reasons: ${[...new Set(alerted)].join(', ') || 'none'}`);
  });

  it('no alert during the warm-up, whatever comes', () => {
    const { scores } = run(new GeneralCore(), [1, 1000, -1000, 5, 5, 5]);
    assert.ok(scores.every((score) => score <= 1));
  });

  it('continues from a copy of its state exactly as the original', () => {
    const values = temperature(3 * 144);
    const original = new GeneralCore();
    run(original, values.slice(0, 2 * 144));
    const copy = new GeneralCore(JSON.parse(JSON.stringify(original.state)) as GeneralCore['state']);
    const next = values.slice(2 * 144);
    assert.deepEqual(run(copy, next, 2 * 144), run(original, next, 2 * 144));
  });

  it('a late reading is scored but not learnt from', () => {
    const values = temperature(2 * 144);
    const core = new GeneralCore();
    run(core, values);
    const before = JSON.stringify(core.state);
    core.step(t0, 30, false);
    assert.equal(JSON.stringify(core.state), before);
  });
});
