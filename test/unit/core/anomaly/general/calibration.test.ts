import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GeneralCore } from '../../../../../core/anomaly/general/general-core';
import { learnTail, newTailState, tailThreshold } from '../../../../../core/anomaly/general/tail';

const minute = 60_000;
const t0 = Date.UTC(2026, 0, 5);

/** Seeded noise in [-0.5, 0.5). */
function noise(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31 - 0.5;
  };
}

function scores(values: readonly number[]): number[] {
  return scored(values).map((result) => result.score);
}

function scored(values: readonly number[]): Array<{ score: number; reason: string }> {
  const core = new GeneralCore();
  return values.map((value, i) => core.step(t0 + i * minute, value));
}

describe('general detector: calibrated on each series own extremes', () => {
  it('the tail quantile settles near a high quantile and a single huge value moves it by one step', () => {
    const next = noise(3);
    const tail = newTailState();
    for (let i = 0; i < 5000; i += 1) learnTail(tail, Math.abs(next()) * 4);
    assert.ok(tail.q > 1.7 && tail.q < 2.4, `q ${tail.q.toFixed(2)} for |U(-2, 2)| (its 99.5% is 1.99)`);
    const before = tail.q;
    learnTail(tail, 1e9);
    assert.ok(tail.q - before < 0.3, 'one huge value: one step up');
    assert.equal(tailThreshold(newTailState(), 6, 2), 6, 'never below the floor');
  });

  it('a series spiky by nature: once it has seen them, its usual spikes are not spikes, one far beyond them is', () => {
    const next = noise(11);
    const values = Array.from({ length: 3000 }, (_, i) => 10 + next() * 0.2 + (i % 37 === 0 ? 3 : 0));
    values[2500] = 10 + 12;
    const results = scored(values);
    const usualSpikes = results.filter((result, i) => i >= 2000 && i % 37 === 0 && result.score > 1 && result.reason === 'spike').length;
    assert.equal(usualSpikes, 0, 'the spikes every 37 readings are this series normal');
    assert.ok((results[2500]?.score ?? 0) > 1, `a spike four times the usual ones scored ${results[2500]?.score}`);
  });

  it('a quiet series keeps the fixed spike threshold: a moderate spike still alerts', () => {
    const next = noise(5);
    const values = Array.from({ length: 2000 }, () => 10 + next() * 0.2);
    values[1500] = 10 + 1.2;
    assert.ok((scores(values)[1500] as number) > 1);
  });

  it('a signal that holds a value for long runs by nature is stuck only well past its longest run', () => {
    const next = noise(9);
    const values: number[] = [];
    // runs of 200 readings at one value, then a few changing readings, over and over
    while (values.length < 4000) {
      const level = 5 + Math.round(next() * 10);
      for (let i = 0; i < 200; i += 1) values.push(level);
      for (let i = 0; i < 5; i += 1) values.push(level + next());
    }
    const stuckAlerts = (results: ReadonlyArray<{ score: number; reason: string }>) => results.filter((result) => result.score > 1 && result.reason === 'stuck').length;
    assert.equal(stuckAlerts(scored(values).slice(1000)), 0, 'once it has seen a few, runs as long as the usual ones are not stuck');
    const stuck = [...values, ...new Array<number>(600).fill(values[values.length - 1] as number)];
    assert.ok(stuckAlerts(scored(stuck).slice(values.length)) > 0, 'a run three times the usual is stuck');
  });
});
