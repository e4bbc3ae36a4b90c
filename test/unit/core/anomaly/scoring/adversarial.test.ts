/**
 * Property-style checks: whatever the spacing and values of a series (sub-second, duplicate or
 * backwards timestamps, huge gaps, zeros, negatives, values far outside any home's range,
 * non-hourly intervals), every scored reading carries a finite score, an anomaly_score in
 * [0, 1] and a finite expected value — for the online detector (cold start and trained), the
 * fixed scorer and the home scorer.
 */
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DefaultModelParams } from '../../../../../core/anomaly/model/default-model';
import { FixedScorer } from '../../../../../core/anomaly/scoring/fixed-scorer';
import { fitHomeModel } from '../../../../../core/anomaly/training/fit';
import type { HomeModelParams } from '../../../../../core/anomaly/model/home-model';
import { loadModelDir } from '../../../../../core/anomaly/model/model-dir';
import { SeriesDetector } from '../../../../../core/anomaly/scoring/series-detector';
import { adversarialCases, assertWellFormed, reading } from './adversarial-cases';
import { home, londonHome, modelsDir } from '../fixtures';

let trained: HomeModelParams | null = null;
async function homeModel(): Promise<HomeModelParams> {
  if (!trained) {
    const series = home(londonHome, 21);
    const points = series.rows.map((row) => ({ ts: row.ts, rate: (row.value * 1000 * 3600) / series.intervalS }));
    trained = (await fitHomeModel(points, { readingKind: 'energy', unit: 'Wh', intervalS: series.intervalS, epochs: 1 })).params;
  }
  return trained;
}

async function defaultModel(): Promise<DefaultModelParams> {
  const loaded = await loadModelDir(join(modelsDir, 'default'));
  return loaded.model as DefaultModelParams;
}

describe('every scored reading is well formed, whatever the series does', () => {
  it('online detector at cold start (shipped default model)', async () => {
    const defaults = await defaultModel();
    for (const seed of [1, 2, 3]) {
      for (const c of adversarialCases(seed)) {
        const detector = new SeriesDetector({ entityId: 'sensor.bench', defaultModel: defaults });
        c.points.forEach((point, i) => assertWellFormed(detector.score(reading(point)), `seed ${seed} ${c.name} #${i}`));
      }
    }
  });

  it('online detector with a trained home model, and after retraining on what it saw', async () => {
    const model = await homeModel();
    for (const seed of [1, 2]) {
      for (const c of adversarialCases(seed)) {
        const detector = new SeriesDetector({ entityId: 'sensor.bench', model, learnDays: 0.001, retrainEveryMs: 1, fit: { readingKind: 'energy', withoutAutoencoder: true } });
        for (const [i, point] of c.points.entries()) {
          // a sparse history never makes retraining throw: it waits for the next schedule
          if (i === 150 && detector.needsTraining(point.ts)) await detector.retrain(point.ts);
          assertWellFormed(detector.score(reading(point)), `seed ${seed} ${c.name} #${i}`);
        }
      }
    }
  });

  it('fixed scorer with a home model, the default model and the seed hour-profile', async () => {
    const seed = await loadModelDir(join(modelsDir, 'seed-hour-profile'));
    const scorers = [new FixedScorer(await homeModel(), 'home'), new FixedScorer(await defaultModel(), 'default'), new FixedScorer(seed.model, 'seed')];
    for (const scorer of scorers) {
      for (const c of adversarialCases(4)) {
        c.points.forEach((point, i) => {
          const scored = scorer.score(reading(point));
          assertWellFormed(scored, `${scorer.modelId} ${c.name} #${i}`);
        });
      }
    }
  });
});
