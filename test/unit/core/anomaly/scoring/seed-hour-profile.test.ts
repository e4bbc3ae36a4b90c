import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FixedScorer } from '../../../../../core/anomaly/scoring/fixed-scorer';
import { learnHourProfile, hourProfileScore } from '../../../../../core/anomaly/model/hour-profile';
import { loadModelDir } from '../../../../../core/anomaly/model/model-dir';
import { parseReading } from '../../../../../core/reading';
import { modelsDir, seedDir } from '../fixtures';

async function seedScorer(): Promise<FixedScorer> {
  const loaded = await loadModelDir(join(modelsDir, 'seed-hour-profile'));
  assert.equal(loaded.model.type, 'hour-profile');
  return new FixedScorer(loaded.model, 'seed-hour-profile');
}

describe('models/seed-hour-profile (the seed ANOMOLY_POWER)', () => {
  it('reproduces every score of udf_cases.json exactly', async () => {
    const scorer = await seedScorer();
    const cases = (JSON.parse(readFileSync(join(seedDir, 'udf_cases.json'), 'utf8')) as { cases: { hour: number; value: number; score: number }[] }).cases;
    assert.ok(cases.length >= 9);
    for (const udfCase of cases) {
      const scored = scorer.score(parseReading({ hour: udfCase.hour, mwh: udfCase.value }));
      assert.equal(scored.score, udfCase.score, `hour ${udfCase.hour} value ${udfCase.value}`);
      assert.equal(scored.anomaly, udfCase.score > 1);
    }
  });

  it('raises no alert on the seed day mwh_20180805.json (highest 0.757 at hour 22)', async () => {
    const scorer = await seedScorer();
    const lines = readFileSync(join(seedDir, 'mwh_20180805.json'), 'utf8').split('\n').filter((line) => line.trim());
    assert.equal(lines.length, 24);
    const scored = lines.map((line) => scorer.score(parseReading(JSON.parse(line))));
    assert.ok(scored.every((reading) => !reading.anomaly));
    const highest = scored.reduce((best, reading) => (reading.score > best.score ? reading : best));
    assert.equal(highest.hour, 22);
    assert.ok(Math.abs(highest.score - 0.757) < 0.001);
  });

  it('alerts on {"hour": 4, "kwh": 1500} with a sentence and expected value', async () => {
    const scored = (await seedScorer()).score(parseReading({ hour: 4, kwh: 1500 }));
    assert.equal(scored.anomaly, true);
    assert.equal(scored.entity_id, 'seed.power');
    assert.ok(scored.anomaly_score > 0.5 && scored.anomaly_score <= 1);
    assert.match(scored.explanation ?? '', /1\.5 kWh between 04:00 and 05:00, about .* expected/);
  });

  it('learns the table from history as the seed did, and scores -1 outside 0..23', () => {
    const learned = learnHourProfile([{ hour: 4, value: 108 }, { hour: 4, value: 363 }], 'Wh');
    assert.equal(hourProfileScore(learned, 4, 1500), 1392 / 255);
    assert.equal(hourProfileScore(learned, 30, 1500), -1);
  });
});
