import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../../../../core/anomaly/stats';
import { AnomalyService } from '../../../../../core/anomaly/scoring/service';
import { parseReading, type Reading } from '../../../../../core/reading';

const fiveMinutes = 300_000;
const start = Date.UTC(2024, 5, 3);

/** A room's temperature in °C: 21 ± 3 over the day, with 0.2 °C of sensor noise. */
function temperatures(count: number, entityId = 'sensor.living_room_temperature'): Reading[] {
  const random = seededRandom(7);
  return Array.from({ length: count }, (_, index) => {
    const ts = start + index * fiveMinutes;
    const noise = (random() + random() + random() - 1.5) * 0.4;
    const value = 21 + 3 * Math.sin((2 * Math.PI * ts) / 86_400_000) + noise;
    return parseReading({ entity_id: entityId, ts, value: Math.round(value * 100) / 100, unit: '°C', kind: 'other' });
  });
}

describe('what the general detector expects of a series (describeSeries of a kind other series)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-describe-general-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('a warmed-up temperature series: a band along its recent readings, in °C, around most of them', async () => {
    const service = new AnomalyService({ modelDir: dir });
    const readings = temperatures(3 * 288);
    await service.score(readings);
    const described = service.describeSeries('sensor.living_room_temperature');
    assert.equal(described.hasModel, true);
    assert.equal(described.modelId, 'general@1');
    assert.equal(described.learning, null);
    assert.equal(described.lastTrained, readings.at(-1)?.ts);
    const band = described.band;
    assert.ok(band, 'a band');
    assert.equal(band.slots, 'reading-time');
    assert.equal(band.unit, '°C');
    assert.equal(band.rows.length, described.recent.length);
    assert.ok(described.recent.length > 200);
    let inside = 0;
    described.recent.forEach((reading, index) => {
      const row = band.rows[index];
      assert.ok(row && row.slot === reading.ts && row.low < row.expected && row.expected < row.high);
      // in °C around the day's 18-24 °C, a band narrower than the day's swing
      assert.ok(row.expected > 17 && row.expected < 25, `expected ${row.expected} °C`);
      assert.ok(row.high - row.low < 3, `band ${row.low}-${row.high} °C`);
      if (row.low <= reading.value && reading.value <= row.high) inside += 1;
    });
    assert.ok(inside / described.recent.length > 0.8, `${inside} of ${described.recent.length} readings inside the band`);
  });

  it('a reading far off the forecast lies above the band and scores over 1', async () => {
    const service = new AnomalyService({ modelDir: dir });
    const readings = temperatures(2 * 288);
    const last = readings.at(-1) as Reading;
    await service.score([...readings, { ...last, ts: last.ts + fiveMinutes, value: last.value + 6 }]);
    const described = service.describeSeries('sensor.living_room_temperature');
    const row = described.band?.rows.at(-1);
    const reading = described.recent.at(-1);
    assert.ok(row && reading && row.slot === reading.ts);
    assert.ok(reading.value > row.high, `${reading.value} °C above ${row.high} °C`);
    assert.ok(reading.score > 1);
  });

  it('a series with too few readings is still learning: no band, no model yet', async () => {
    const service = new AnomalyService({ modelDir: dir });
    await service.score(temperatures(30, 'sensor.new_temperature'));
    const described = service.describeSeries('sensor.new_temperature');
    assert.equal(described.hasModel, false);
    assert.equal(described.band, null);
    assert.equal(described.lastTrained, null);
    assert.deepEqual(described.learning, { have: 30, need: 60 });
    assert.equal(described.recent.length, 30);
  });
});
