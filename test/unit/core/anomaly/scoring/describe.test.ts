import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectedBand, previewSensitivities, RecentRing, recentCapacity } from '../../../../../core/anomaly/scoring/describe';
import type { HomeModelParams } from '../../../../../core/anomaly/model/home-model';
import { parseMapping } from '../../../../../core/anomaly/scoring/mapping';
import { AnomalyService } from '../../../../../core/anomaly/scoring/service';
import { parseReading, type Reading } from '../../../../../core/reading';
import { modelsDir } from '../fixtures';

describe('what a series model learnt (describeSeries, previewSensitivities)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-describe-'));
    await cp(join(modelsDir, 'seed-hour-profile'), join(dir, 'seed-hour-profile'), { recursive: true });
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('a mapped hour-of-day table: its band per hour in the readings unit, the recent scores, when it was made', async () => {
    const service = new AnomalyService({ modelDir: dir, mapping: parseMapping('seed.power=seed-hour-profile') });
    await service.score([parseReading({ hour: 3, kwh: 321 }), parseReading({ hour: 4, kwh: 1500 })]);
    const described = service.describeSeries('seed.power');
    assert.equal(described.hasModel, true);
    assert.equal(described.band?.slots, 'hour-of-day');
    assert.equal(described.band?.rows.length, 24);
    const four = described.band?.rows.find((row) => row.slot === 4);
    assert.ok(four && four.low < four.expected && four.expected < four.high);
    assert.deepEqual(described.recent.map((reading) => reading.value), [321, 1500]);
    assert.equal(described.recent[1]?.score, 5.458823529411765);
    assert.equal(typeof described.lastTrained, 'number');
    assert.equal(service.previewSensitivities('seed.power').appliesToModel, false);
  });

  it('a series never seen, or still on the cold start, has no model to show', async () => {
    const service = new AnomalyService({ modelDir: dir });
    assert.deepEqual(service.describeSeries('sensor.none'), {
      entityId: 'sensor.none', hasModel: false, modelId: null, band: null, recent: [], lastTrained: null, sensitivity: 'normal', learning: null,
    });
    await service.score([parseReading({ entity_id: 'sensor.new', ts: Date.UTC(2024, 0, 1), value: 0.3, unit: 'kWh', kind: 'energy', interval_s: 3600 })]);
    const cold = service.describeSeries('sensor.new');
    assert.equal(cold.hasModel, false);
    assert.equal(cold.recent.length, 1);
    assert.equal(cold.learning?.have, 1);
  });

  it('a learnt home model: its band by hour of week, in the unit and interval of the series readings', () => {
    // rates in W on an asinh scale of 100 W: asinh(rate / 100) = 1 ± 0.5 everywhere, 2 on Monday 19:00
    const center = Array.from({ length: 168 }, (_, slot) => (slot === 24 + 19 ? 2 : 1));
    const model = { type: 'home', readingKind: 'energy', unit: 'W', scale: 100, twoSided: false, intervalS: 3600, center, spread: Array.from({ length: 168 }, () => 0.5) } as unknown as HomeModelParams;
    const half = parseReading({ entity_id: 'sensor.half', ts: 0, value: 0.1, unit: 'kWh', kind: 'energy', interval_s: 1800 });
    const band = expectedBand(model, half);
    assert.equal(band?.slots, 'hour-of-week');
    assert.equal(band?.unit, 'kWh');
    assert.equal(band?.rows.length, 168);
    const monday = band?.rows[24 + 19];
    // 100 W × sinh(2) over half an hour, in kWh
    assert.ok(monday && Math.abs(monday.expected - (100 * Math.sinh(2) * 0.5) / 1000) < 1e-12);
    assert.ok(monday && Math.abs(monday.high - (100 * Math.sinh(2.5) * 0.5) / 1000) < 1e-12);
    assert.ok(monday && monday.low > 0 && monday.low < monday.expected);
  });

  it('keeps a bounded ring of the newest readings, late ones left out', () => {
    const ring = new RecentRing();
    const reading = (ts: number): Reading => parseReading({ entity_id: 'sensor.r', ts, value: ts, unit: 'Wh', kind: 'energy' });
    for (let i = 0; i < recentCapacity + 50; i += 1) ring.push(reading(i), { ...reading(i), score: 0, anomaly_score: 0, anomaly: false, expected: 0, model: 'm' });
    ring.push(reading(3), { ...reading(3), score: 0, anomaly_score: 0, anomaly: false, expected: 0, model: 'm', late: true });
    const list = ring.list();
    assert.equal(list.length, recentCapacity);
    assert.equal(list[0]?.ts, 50);
    assert.equal(list.at(-1)?.ts, recentCapacity + 49);
  });

  it('replays recent scores under each sensitivity, anomalies within 3 h counting as one alert', () => {
    const hour = 3_600_000;
    const recent = [
      { ts: 0, value: 1, expected: 1, hourOfWeek: 0, hour: 0, score: 1.2 },
      { ts: 1 * hour, value: 1, expected: 1, hourOfWeek: 0, hour: 0, score: 1.1 },
      { ts: 10 * hour, value: 1, expected: 1, hourOfWeek: 0, hour: 0, score: 1.5 },
      { ts: 20 * hour, value: 1, expected: 1, hourOfWeek: 0, hour: 0, score: 0.9 },
    ];
    // scored under normal (threshold 1.3): high lowers the bar to 1, low raises it to 1.6
    assert.deepEqual(previewSensitivities(recent, 'normal', true), { high: 3, normal: 2, low: 1, appliesToModel: true, readings: 4 });
    assert.deepEqual(previewSensitivities(recent, 'normal', false), { high: 2, normal: 2, low: 2, appliesToModel: false, readings: 4 });
  });
});
