/** Adversarial series for the property-style tests (detector, fixed scorer, node, CLI). */
import { strict as assert } from 'node:assert';
import type { Reading, ScoredReading } from '../../../../../core/reading';
import { mulberry32 } from '../../../../../core/sim/random';

/** Small seeded generator (mulberry32) so a failing case can be replayed. */
export const rng: (seed: number) => () => number = mulberry32;

export interface AdversarialCase {
  name: string;
  points: { ts: number; value: number; interval_s?: number }[];
}

const start = Date.UTC(2024, 0, 15, 12);

/** Adversarial sequences of (ts, value[, interval_s]) for one series; `seed` varies them. */
export function adversarialCases(seed: number): AdversarialCase[] {
  const random = rng(seed);
  const n = 300;
  const seq = (f: (i: number) => { ts: number; value: number; interval_s?: number }) => Array.from({ length: n }, (_, i) => f(i));
  const cases: AdversarialCase[] = [
    // the e2e latency bench: cumulative, rising kWh values 100 ms apart
    { name: 'rising values 100 ms apart', points: seq((i) => ({ ts: start + i * 100, value: 1 + 0.01 * i })) },
    { name: 'rising values 1 ms apart', points: seq((i) => ({ ts: start + i, value: 1000 + i })) },
    { name: 'duplicate timestamps', points: seq((i) => ({ ts: start + Math.floor(i / 5) * 3_600_000, value: random() * 2 })) },
    { name: 'all at one timestamp', points: seq(() => ({ ts: start, value: random() })) },
    { name: 'backwards timestamps', points: seq((i) => ({ ts: start + ((i * 7919) % n) * 1_800_000 - (i % 3) * 100, value: random() })) },
    { name: 'huge gaps', points: seq((i) => ({ ts: start + i * (i % 10 === 0 ? 400 * 86_400_000 : 3_600_000), value: random() })) },
    { name: 'zeros and negatives', points: seq((i) => ({ ts: start + i * 3_600_000, value: i % 4 === 0 ? 0 : -random() * 10 })) },
    { name: 'far outside any range', points: seq((i) => ({ ts: start + i * 3_600_000, value: [1e12, -1e12, 1e-12, 1e300, -1e300, 0][i % 6] as number })) },
    { name: 'non-hourly intervals', points: seq((i) => ({ ts: start + Math.round(i * 437_000 + random() * 60_000), value: random() * 0.3 })) },
    { name: 'random jitter, sub-second to days', points: [] },
    { name: 'tiny and zero interval_s', points: seq((i) => ({ ts: start + i * 50, value: random(), interval_s: [0.05, 1e-9, 0, 3600][i % 4] as number })) },
  ];
  let ts = start;
  const jitter = cases[cases.length - 2] as AdversarialCase;
  for (let i = 0; i < n; i += 1) {
    ts += Math.floor((random() - 0.1) * [0, 10, 1000, 3_600_000, 86_400_000 * 3][Math.floor(random() * 5)]!);
    jitter.points.push({ ts, value: (random() - 0.2) * 10 ** Math.floor(random() * 8 - 3) });
  }
  return cases;
}

export function reading(point: { ts: number; value: number; interval_s?: number }): Reading {
  const r: Reading = { entity_id: 'sensor.bench', ts: point.ts, value: point.value, unit: 'kWh', kind: 'energy', hour: new Date(point.ts).getHours() };
  if (point.interval_s !== undefined) r.interval_s = point.interval_s;
  return r;
}

export function assertWellFormed(scored: ScoredReading, where: string): void {
  assert.ok(Number.isFinite(scored.score), `${where}: score ${scored.score}`);
  assert.ok(Number.isFinite(scored.anomaly_score) && scored.anomaly_score >= 0 && scored.anomaly_score <= 1, `${where}: anomaly_score ${scored.anomaly_score}`);
  assert.ok(Number.isFinite(scored.expected), `${where}: expected ${scored.expected}`);
  assert.equal(scored.anomaly, scored.score > 1, `${where}: anomaly flag`);
  // survives JSON as numbers (what the notify node and Kafka see)
  const back = JSON.parse(JSON.stringify(scored)) as ScoredReading;
  assert.equal(typeof back.score, 'number', `${where}: score after JSON`);
  assert.equal(typeof back.expected, 'number', `${where}: expected after JSON`);
}

