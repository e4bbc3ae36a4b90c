import { strict as assert } from 'node:assert';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HomeScorer, type HomeModelParams } from '../../../../../core/anomaly/model/home-model';
import { folderFor, loadModelDir, ModelDirError, ModelKindError, resolveInside, saveModelDir } from '../../../../../core/anomaly/model/model-dir';
import { FixedScorer } from '../../../../../core/anomaly/scoring/fixed-scorer';
import { defaultModelName, defaultSeriesModels, seedModelName, shippedModelsDir } from '../../../../../core/anomaly/scoring/mapping';
import { AnomalyService } from '../../../../../core/anomaly/scoring/service';
import type { Reading, ReadingKind } from '../../../../../core/reading';
import { trainSeries } from '../../../../../core/anomaly/training/train-series';
import { home, londonHome, modelsDir } from '../fixtures';

describe('model directory', () => {
  let dir: string;
  let params: HomeModelParams;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-model-'));
    const series = home(londonHome, 21);
    params = (await trainSeries(series.rows, { kind: 'energy', unit: 'kWh', intervalS: series.intervalS, fit: { epochs: 2 } })).params;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips a trained model (tfjs model.json + weights.bin + metadata) with identical scores', async () => {
    const target = join(dir, 'home');
    const metadata = await saveModelDir(target, params, { from: 0, to: 1, points: 10, backend: 'cpu' });
    assert.equal(metadata.modelType, 'home');
    assert.equal(metadata.unit, 'Wh');
    assert.equal(metadata.kind, 'energy');
    assert.equal(metadata.scaling.transform, 'asinh');
    const modelJson = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    assert.deepEqual(modelJson.weightsManifest[0]?.paths, ['weights.bin']);
    const loaded = await loadModelDir(target, { kind: 'energy' });
    assert.equal(loaded.model.type, 'home');
    const a = new HomeScorer(params);
    const b = new HomeScorer(loaded.model as HomeModelParams);
    const rows = home(londonHome, 28).rows.slice(-200);
    for (const row of rows) {
      const point = { ts: row.ts, rate: row.value * 2000 };
      assert.ok(Math.abs(a.score(point).score - b.score(point).score) < 1e-6);
    }
  });

  it('refuses corrupt weights, a mismatched kind, a missing directory and a foreign format, each clearly', async () => {
    const target = join(dir, 'corrupt');
    await saveModelDir(target, params);
    await assert.rejects(loadModelDir(target, { kind: 'water' }), (error: Error) => error instanceof ModelDirError && /the home model is for energy, not water readings/.test(error.message));
    const weights = await readFile(join(target, 'weights.bin'));
    weights[0] = (weights[0] ?? 0) ^ 0xff;
    await writeFile(join(target, 'weights.bin'), weights);
    await assert.rejects(loadModelDir(target), (error: Error) => error instanceof ModelDirError && /weights\.bin is corrupt/.test(error.message));
    await assert.rejects(loadModelDir(join(dir, 'nothing')), /not a model directory/);
    await writeFile(join(target, 'metadata.json'), JSON.stringify({ format: 'other', version: 1 }));
    await assert.rejects(loadModelDir(target), /not a stream-smarts-anomaly model/);
  });

  it('keeps paths inside the model directory', () => {
    assert.throws(() => resolveInside(dir, '../escape'), ModelDirError);
    assert.throws(() => resolveInside(dir, '/etc'), ModelDirError);
    assert.equal(resolveInside(dir, 'sensor.energy'), join(dir, 'sensor.energy'));
    const folder = folderFor('../../etc/passwd');
    assert.ok(!folder.includes('/') && !folder.startsWith('.'), folder);
    assert.equal(folderFor('sensor.house_energy'), 'sensor.house_energy');
    assert.ok(!folderFor('..').startsWith('.'));
  });

  it('loads the shipped default model with its autoencoder and cold-start extremes', async () => {
    const loaded = await loadModelDir(join(modelsDir, 'default'));
    assert.equal(loaded.model.type, 'default');
    if (loaded.model.type !== 'default') return;
    assert.equal(loaded.model.extremeRate.length, 24);
    assert.ok(loaded.model.autoencoder && loaded.model.autoencoder[0]?.inputs === 27);
  });
});

describe('model directory replacement', () => {
  it('keeps the reports beside a model when the model is saved again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smarts-model-keep-'));
    try {
      const target = join(dir, 'seed');
      const table = { type: 'hour-profile' as const, unit: 'Wh', hours: [{ hour: 4, min: 108, max: 363 }] };
      await saveModelDir(target, table);
      await writeFile(join(target, 'eval-report.md'), 'kept');
      await saveModelDir(target, { ...table, hours: [{ hour: 4, min: 100, max: 300 }] });
      assert.equal(await readFile(join(target, 'eval-report.md'), 'utf8'), 'kept');
      const loaded = await loadModelDir(target);
      assert.deepEqual(loaded.model.type === 'hour-profile' ? loaded.model.hours[0] : null, { hour: 4, min: 100, max: 300 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('shipped models folder', () => {
  it('is the absolute path of the package models/ folder, holding default/ and seed-hour-profile/', async () => {
    assert.ok(isAbsolute(shippedModelsDir), shippedModelsDir);
    assert.equal(shippedModelsDir, modelsDir);
    for (const name of ['default', 'seed-hour-profile']) {
      assert.ok(statSync(join(shippedModelsDir, name)).isDirectory(), `${name}/ in ${shippedModelsDir}`);
      assert.ok(existsSync(join(shippedModelsDir, name, 'metadata.json')), `${name}/metadata.json`);
    }
    assert.equal((await loadModelDir(join(shippedModelsDir, 'seed-hour-profile'))).model.type, 'hour-profile');
    assert.equal((await loadModelDir(join(shippedModelsDir, defaultModelName))).model.type, 'default');
  });

  it('maps the seed series to the seed table by default', () => {
    assert.deepEqual(defaultSeriesModels, { 'seed.power': 'seed-hour-profile' });
    assert.equal(seedModelName, 'seed-hour-profile');
  });
});

// docs/bad-input.md #34: a model made for another kind of reading is refused wherever it meets one.
describe('a model for another kind of reading', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-model-kind-'));
    for (const name of ['default', 'seed-hour-profile']) await cp(join(modelsDir, name), join(dir, name), { recursive: true });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const kindError = (pattern: RegExp) => (error: Error) => error instanceof ModelKindError && pattern.test(error.message);
  const reading = (entityId: string, kind: ReadingKind, unit: string, value: number): Reading => ({ entity_id: entityId, ts: Date.UTC(2026, 0, 14, 2), value, unit, kind, hour: 2, interval_s: 3600 });

  it('loadModelDir refuses every model type for a kind it is not for, naming both kinds and the folder', async () => {
    const defaultDir = join(dir, 'default');
    const seedDir = join(dir, 'seed-hour-profile');
    for (const kind of ['water', 'gas', 'other', 'location'] as const) {
      await assert.rejects(loadModelDir(defaultDir, { kind }), kindError(new RegExp(`^the default model is for energy and power, not ${kind} readings \\(${defaultDir}\\)$`)));
    }
    for (const kind of ['power', 'water', 'gas', 'other'] as const) {
      await assert.rejects(loadModelDir(seedDir, { kind }), kindError(new RegExp(`^the hour-profile model is for energy, not ${kind} readings`)));
    }
    assert.equal((await loadModelDir(defaultDir, { kind: 'energy' })).model.type, 'default');
    assert.equal((await loadModelDir(defaultDir, { kind: 'power' })).model.type, 'default');
    assert.equal((await loadModelDir(seedDir, { kind: 'energy' })).model.type, 'hour-profile');
  });

  it('loadModelDir refuses metadata whose kind its model cannot be for', async () => {
    const target = join(dir, 'relabelled');
    await cp(join(modelsDir, 'seed-hour-profile'), target, { recursive: true });
    const metadata = JSON.parse(await readFile(join(target, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(target, 'metadata.json'), JSON.stringify({ ...metadata, kind: 'water' }));
    await assert.rejects(loadModelDir(target), (error: Error) => error instanceof ModelDirError && /metadata\.json says kind water, but the hour-profile model is for energy readings/.test(error.message));
    await assert.rejects(loadModelDir(target, { kind: 'water' }), /metadata\.json says kind water/);
  });

  it('a fixed model refuses each reading of another kind (the default model no longer scores a water reading 0)', async () => {
    const { model } = await loadModelDir(join(dir, 'default'));
    const scorer = new FixedScorer(model, 'default@1');
    assert.throws(() => scorer.score(reading('sensor.water', 'water', 'L', 40)), kindError(/^the default model is for energy and power, not water readings$/));
    assert.ok(Number.isFinite(scorer.score(reading('sensor.power', 'power', 'W', 400)).score));
    const seed = new FixedScorer((await loadModelDir(join(dir, 'seed-hour-profile'))).model, 'seed@1');
    assert.throws(() => seed.score(reading('sensor.power', 'power', 'W', 400)), kindError(/the hour-profile model is for energy, not power readings/));
  });

  it('the service (the node, the worker): a mapped model of another kind is an error for its series only; the shared default is not given to a series of another kind', async () => {
    const service = new AnomalyService({ modelDir: dir, mapping: { 'sensor.water_mapped': 'default' }, save: false, keepRecent: false });
    await assert.rejects(service.score([reading('sensor.water_mapped', 'water', 'L', 40)]), kindError(/^the default model is for energy and power, not water readings \(.*default\)$/));
    await assert.rejects(service.score([reading('sensor.water_mapped', 'water', 'L', 41)]), ModelKindError, 'the next reading of that series is refused too');
    const [energy] = await service.score([reading('sensor.energy', 'energy', 'kWh', 0.4)]);
    const { model } = await loadModelDir(join(dir, 'default'));
    const typical = model.type === 'default' ? (model.typicalRate?.[2] ?? 0) : 0;
    assert.ok(typical > 0);
    assert.ok(Math.abs((energy?.expected ?? 0) - typical / 1000) < 1e-9, `an energy series starts from the default's typical rate at 02:00: ${energy?.expected} kWh`);
    const [water] = await service.score([reading('sensor.water', 'water', 'L', 40)]);
    assert.equal(water?.expected, 40, 'a water series starts from its own readings, not the energy default');
    assert.ok(Number.isFinite(water?.score));
  });

  it('the service: a model of another type named as the default is a warning naming it, and series start without a default', async () => {
    const warnings: string[] = [];
    const service = new AnomalyService({ modelDir: dir, defaultModel: 'seed-hour-profile', save: false, keepRecent: false, logger: { info: () => undefined, warn: (line) => warnings.push(line) } });
    const [energy] = await service.score([reading('sensor.energy', 'energy', 'kWh', 0.4)]);
    assert.equal(energy?.expected, 0.4);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /no default model \(.*seed-hour-profile: the hour-profile model is not a default model\)/);
  });
});
