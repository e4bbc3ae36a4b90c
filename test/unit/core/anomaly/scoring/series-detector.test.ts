import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dayMs, hourMs } from '../../../../../core/units';
import type { DefaultModelParams } from '../../../../../core/anomaly/model/default-model';
import { loadModelDir } from '../../../../../core/anomaly/model/model-dir';
import { SeriesDetector } from '../../../../../core/anomaly/scoring/series-detector';
import type { Reading } from '../../../../../core/reading';
import { home, londonHome, modelsDir } from '../fixtures';

function reading(ts: number, kwh: number, intervalS: number): Reading {
  return { entity_id: 'sensor.home', ts, value: kwh, unit: 'kWh', kind: 'energy', hour: new Date(ts).getHours(), interval_s: intervalS };
}

async function defaultModel(): Promise<DefaultModelParams> {
  const loaded = await loadModelDir(join(modelsDir, 'default'));
  assert.equal(loaded.model.type, 'default');
  return loaded.model as DefaultModelParams;
}

describe('online series detector', () => {
  it('is honest at cold start: learning n/N, only extremes alert, then trains its own model after learnDays', async () => {
    const series = home(londonHome, 30);
    const detector = new SeriesDetector({ entityId: 'sensor.home', defaultModel: await defaultModel(), learnDays: 14, fit: { readingKind: 'energy', epochs: 2 } });
    const first = series.rows[0]!;
    const normal = detector.score(reading(first.ts, first.value, series.intervalS));
    assert.equal(normal.anomaly, false);
    assert.match(normal.model, /default/);
    const extreme = detector.score(reading(first.ts + series.intervalS * 1000, 9, series.intervalS)); // 18 kW for half an hour
    assert.equal(extreme.anomaly, true);
    assert.match(extreme.explanation ?? '', /extreme for any home/);
    let trained = false;
    for (const row of series.rows.slice(2)) {
      if (detector.needsTraining(row.ts)) {
        if (!trained) {
          assert.equal(detector.status().phase, 'learning');
          assert.ok(detector.status().have >= detector.status().need * 0.9, `${detector.status().have}/${detector.status().need}`);
        }
        await detector.retrain(row.ts);
        trained = true;
      }
      detector.score(reading(row.ts, row.value, series.intervalS));
    }
    assert.ok(trained);
    assert.equal(detector.status().phase, 'ready');
    assert.match(detector.status().modelId, /^home@1:sensor\.home:/);
  });

  it('marks outage artefacts as not scored and keeps them out of training', async () => {
    const detector = new SeriesDetector({ entityId: 'sensor.home', learnDays: 14 });
    const scored = detector.score({ ...reading(Date.now(), 0, 3600), artefact: 'outage' });
    assert.equal(scored.score, 0);
    assert.equal(scored.anomaly, false);
    assert.match(scored.explanation ?? '', /meter outage: not scored/);
    assert.equal(detector.historySnapshot().length, 0);
  });

  it('feedback "expected" silences the same pattern; "investigate" keeps a reading out of training', async () => {
    const series = home(londonHome, 22);
    const detector = new SeriesDetector({ entityId: 'sensor.home', learnDays: 14, fit: { readingKind: 'energy', epochs: 2 } });
    detector.addHistory(series.rows.slice(0, -48).map((row) => reading(row.ts, row.value, series.intervalS)));
    await detector.retrain(series.rows.at(-49)!.ts);
    const night = new Date(series.rows.at(-48)!.ts);
    night.setHours(27, 0, 0, 0);
    const odd = detector.score(reading(night.getTime(), 1.5, series.intervalS)); // 3 kW at 03:00
    assert.equal(odd.anomaly, true, `score ${odd.score}`);
    assert.ok(detector.applyFeedback({ feedback: 'expected', entity_id: 'sensor.home', ts: odd.ts }));
    const again = detector.score(reading(night.getTime() + dayMs, 1.5, series.intervalS));
    assert.equal(again.anomaly, false);
    assert.match(again.explanation ?? '', /marked expected/);
    const other = detector.score(reading(night.getTime() + 2 * dayMs + 12 * hourMs, 4, series.intervalS));
    assert.ok(detector.applyFeedback({ feedback: 'investigate', entity_id: 'sensor.home', ts: other.ts }));
    assert.equal(detector.historySnapshot().find((point) => point.ts === other.ts)?.feedback, 'investigate');
    assert.equal(detector.applyFeedback({ feedback: 'expected', entity_id: 'sensor.home', ts: 1 }), false);
  });

  it('a pattern marked expected starts no alert for two retrain intervals, and never cuts an alert already running', async () => {
    const series = home(londonHome, 22);
    const detector = new SeriesDetector({ entityId: 'sensor.home', learnDays: 14, retrainEveryMs: dayMs, fit: { readingKind: 'energy', epochs: 2 } });
    detector.addHistory(series.rows.slice(0, -48).map((row) => reading(row.ts, row.value, series.intervalS)));
    await detector.retrain(series.rows.at(-49)!.ts);
    const night = new Date(series.rows.at(-48)!.ts);
    night.setHours(27, 0, 0, 0);
    const at = (days: number, hours: number, kwh: number) => detector.score(reading(night.getTime() + days * dayMs + hours * hourMs, kwh, series.intervalS));
    const odd = at(0, 0, 1.5); // 3 kW at 03:00
    assert.equal(odd.anomaly, true, `score ${odd.score}`);
    detector.applyFeedback({ feedback: 'expected', entity_id: 'sensor.home', ts: odd.ts });
    assert.equal(at(1, -0.5, 4).anomaly, true, '8 kW at 02:30 is not the marked pattern');
    const running = at(1, 0, 1.5);
    assert.equal(running.anomaly, true, 'the alert running since 02:30 goes on at 03:00');
    assert.equal(at(2, 0, 1.5).anomaly, false, 'the marked pattern starts no alert the next nights');
    assert.equal(at(3, 0, 1.5).anomaly, true, 'two retrain intervals later the suppression has ended (no retrain has learnt it here)');
  });
});

describe('meter outages in real data', () => {
  it('treats the UCI home\'s outage zeros as artefacts, not anomalies, once it knows the always-on load', async () => {
    const series = home('uci_household_power_hourly_2006-2010.csv', 140);
    const detector = new SeriesDetector({ entityId: 'uci', learnDays: 14, fit: { readingKind: 'energy', epochs: 2 } });
    detector.addHistory(series.rows.filter((row) => !row.artefact && row.ts < series.rows[0]!.ts + 60 * dayMs).map((row) => reading(row.ts, row.value, 3600)));
    await detector.retrain(series.rows[0]!.ts + 60 * dayMs);
    const zeros = series.rows.filter((row) => row.artefact === 'outage');
    assert.ok(zeros.length > 24, 'the UCI outage of April 2007 is in the first 140 days');
    for (const row of zeros) {
      const scored = detector.score(reading(row.ts, row.value, 3600));
      assert.equal(scored.anomaly, false);
      assert.equal(scored.artefact, 'outage');
      assert.match(scored.explanation ?? '', /outage/);
    }
  });
});

describe('a series restarted with its saved model', () => {
  it('keeps scoring with it and does not retrain on the little history it has seen since', async () => {
    const series = home(londonHome, 30);
    const first = new SeriesDetector({ entityId: 'sensor.home', learnDays: 14, fit: { readingKind: 'energy', epochs: 2 } });
    first.addHistory(series.rows.map((row) => reading(row.ts, row.value, series.intervalS)));
    await first.retrain(series.rows.at(-1)!.ts);
    const restarted = new SeriesDetector({ entityId: 'sensor.home', learnDays: 14, model: first.model, modelId: 'home@1:saved' });
    const start = series.rows.at(-1)!.ts + 1_800_000;
    for (let i = 0; i < 96; i += 1) {
      const ts = start + i * 1_800_000;
      assert.equal(restarted.needsTraining(ts), false);
      assert.equal(restarted.score(reading(ts, 0.2, 1800)).model, 'home@1:saved');
    }
    assert.equal(restarted.status().phase, 'ready');
  });
});
