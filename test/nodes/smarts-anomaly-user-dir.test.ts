import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { home, londonHome, modelsDir } from '../unit/core/anomaly/fixtures';
import { extremeHour } from '../support/expected-answer';
import { anomalyModules, collect } from '../support/anomaly-node';
import { helper, type FlowNode } from '../support/node-red-helper';
import { waitFor } from '../support/wait';

/** The anomaly node as an example flow leaves it: no model directory set, models saved. */
function flow(): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'models' },
    { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir: '', learnDays: 14, retrainHours: 24, saveModels: true, wires: [['all'], [], ['trained']] },
    { id: 'all', type: 'helper', z: 'tab' },
    { id: 'trained', type: 'helper', z: 'tab' },
  ];
}

interface Scored {
  entity_id: string;
  anomaly: boolean;
  model: string;
}

describe('smarts-anomaly keeps trained models in the Node-RED user directory', () => {
  let userDir = '';
  let shippedBefore: string[] = [];
  before(async () => {
    userDir = await mkdtemp(join(tmpdir(), 'smarts-user-dir-'));
    helper.settings({ userDir });
    shippedBefore = (await readdir(modelsDir)).sort();
  });
  afterEach(async () => helper.unload());
  after(async () => {
    helper.settings({});
    await rm(userDir, { recursive: true, force: true });
  });

  it('saves a trained series under <userDir>/stream-smarts/models, never in the package, and a redeploy scores with it', { timeout: 120_000 }, async () => {
    await helper.load(anomalyModules(), flow());
    const trained = collect('trained');
    const series = home(londonHome, 28);
    const history = series.rows.map((row) => ({ entity_id: 'sensor.london', ts: row.ts, value: row.value, unit: 'kWh', kind: 'energy', interval_s: 1800 }));
    helper.getNode('anomaly').receive({ topic: 'train', payload: history });
    await waitFor(() => trained.length === 1, 100_000, 'the training report');
    assert.ok((await stat(join(userDir, 'stream-smarts', 'models', 'sensor.london', 'model.json'))).isFile());
    assert.deepEqual((await readdir(modelsDir)).sort(), shippedBefore, 'nothing written among the shipped models');

    // a package update replaces the package's folder, never the user directory: redeploy and score
    await helper.unload();
    await helper.load(anomalyModules(), flow());
    const all = collect('all');
    const last = series.rows[series.rows.length - 1] as { ts: number; value: number };
    helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.london', ts: last.ts + 1_800_000, value: last.value, unit: 'kWh', kind: 'energy', interval_s: 1800 } });
    await waitFor(() => all.length === 1, 20_000, 'a reading scored after the redeploy');
    assert.match((all[0]?.payload as Scored).model, /^home@1:sensor\.london/, 'the saved model is used');
  });

  it('finds the shipped default model in the package for a new series', { timeout: 30_000 }, async () => {
    await helper.load(anomalyModules(), flow());
    const all = collect('all');
    helper.getNode('anomaly').receive({ payload: extremeHour('sensor.new_home', Date.UTC(2026, 0, 5, 3)) });
    await waitFor(() => all.length === 1, 20_000, 'the first score of a new series');
    // without the default model a series alerts only once trained: this one alerts at once
    assert.equal((all[0]?.payload as Scored).anomaly, true, '20 kWh in an hour is extreme for any home');
    const warnings = helper.log().args.filter((args) => JSON.stringify(args).includes('no default model'));
    assert.deepEqual(warnings, []);
  });
});
