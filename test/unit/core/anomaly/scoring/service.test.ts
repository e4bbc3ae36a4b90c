import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMapping } from '../../../../../core/anomaly/scoring/mapping';
import { AnomalyService } from '../../../../../core/anomaly/scoring/service';
import { parseReading, type Reading } from '../../../../../core/reading';
import { modelsDir } from '../fixtures';

describe('anomaly service (what the node and the worker run)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-service-'));
    await cp(join(modelsDir, 'seed-hour-profile'), join(dir, 'seed-hour-profile'), { recursive: true });
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('maps seed.power to the seed table and other series to the default model', async () => {
    const service = new AnomalyService({ modelDir: dir, mapping: parseMapping('seed.power=seed-hour-profile\nsensor.a = default') });
    const [seed, other] = await service.score([parseReading({ hour: 4, kwh: 1500 }), parseReading({ entity_id: 'sensor.b', ts: Date.UTC(2024, 0, 1), value: 0.3, unit: 'kWh', kind: 'energy', interval_s: 3600 })]);
    assert.equal(seed?.score, 5.458823529411765);
    assert.equal(seed?.model, 'seed-hour-profile@1');
    assert.equal(other?.anomaly, false);
    assert.match(other?.model ?? '', /default/);
    assert.equal(service.status().series, 2);
  });

  it('refuses a mapping that leaves the model directory', async () => {
    const service = new AnomalyService({ modelDir: dir, mapping: { 'sensor.evil': '../../etc' } });
    await assert.rejects(service.score([parseReading({ entity_id: 'sensor.evil', ts: 0, value: 1, unit: 'Wh', kind: 'energy' })]), /outside the model directory/);
  });

  it('learns the usual places of a location series and flags a far one at night', async () => {
    const service = new AnomalyService({ modelDir: dir, learnDays: 7 });
    const start = new Date(2024, 0, 1, 0, 0, 0).getTime();
    const readings: Reading[] = [];
    for (let h = 0; h < 24 * 10; h += 1) {
      const ts = start + h * 3_600_000;
      const hour = new Date(ts).getHours();
      const day = new Date(ts).getDay();
      const atWork = hour >= 9 && hour < 17 && day > 0 && day < 6;
      readings.push({ entity_id: 'person.me', ts, value: 0, unit: '', kind: 'location', hour, latitude: atWork ? 51.52 : 51.45, longitude: atWork ? -0.1 : -0.2 });
    }
    const scored = await service.score(readings);
    assert.ok(scored.every((reading) => !reading.anomaly));
    const night = start + 10 * 86_400_000 + 3 * 3_600_000;
    const [far] = await service.score([{ entity_id: 'person.me', ts: night, value: 0, unit: '', kind: 'location', hour: 3, latitude: 48.85, longitude: 2.35 }]);
    assert.equal(far?.anomaly, true);
    assert.match(far?.explanation ?? '', /km from the places usual at this hour/);
    await assert.rejects(service.score([{ entity_id: 'person.me', ts: night, value: 0, unit: '', kind: 'location', hour: 3 }]), /needs latitude and longitude/);
  });

  it('one retrain schedule: startRetraining trains a due series in the background, reports it, and stops', { timeout: 60000 }, async () => {
    const service = new AnomalyService({ modelDir: dir, learnDays: 14, save: false });
    const start = Date.now() - 20 * 86_400_000;
    const readings = Array.from({ length: 20 * 24 }, (_, h) =>
      parseReading({ entity_id: 'sensor.due', ts: start + h * 3_600_000, value: 0.2 + ((h * 7) % 24) / 20, unit: 'kWh', kind: 'energy', interval_s: 3600 }),
    );
    await service.score(readings);
    const trained: Array<{ entityId: string; points: number | undefined }> = [];
    const progress: number[] = [];
    const stop = service.startRetraining({ checkEveryMs: 20, onProgress: (_entity, fraction) => progress.push(fraction), onTrained: (entityId, report) => trained.push({ entityId, points: report?.points }) });
    try {
      const deadline = Date.now() + 50_000;
      while (trained.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      stop();
    }
    assert.equal(trained.length, 1, 'trained once: not due again until the retrain interval has passed');
    assert.equal(trained[0]?.entityId, 'sensor.due');
    assert.ok((trained[0]?.points ?? 0) > 300);
    assert.ok(progress.length > 0);
    assert.match(service.status().last?.status.modelId ?? '', /^home@1:sensor\.due/);
  });
});
