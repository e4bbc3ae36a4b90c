import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { anomalyModules, collect, useModelDir } from '../support/anomaly-node';
import { helper, type FlowNode } from '../support/node-red-helper';
import { waitFor } from '../support/wait';
import type { SensitivityPreview, SeriesDescription } from '../../core/anomaly/scoring/describe';

type Described = SeriesDescription & { preview: SensitivityPreview };

// The admin endpoint behind the anomaly dialog's model chart and sensitivity preview.
describe('smarts-anomaly model endpoint (the dialog chart)', () => {
  const modelDir = useModelDir('smarts-anomaly-endpoint-', ['default', 'seed-hour-profile']);

  function flow(): FlowNode[] {
    return [
      { id: 'tab', type: 'tab', label: 'test' },
      { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir: modelDir(), mapping: 'seed.power=seed-hour-profile', learnDays: 14, retrainHours: 24, saveModels: false, sensitivity: 'normal', wires: [['all'], [], []] },
      { id: 'all', type: 'helper', z: 'tab' },
    ];
  }

  it('lists the series seen, describes a mapped one (band by hour, recent scores, preview) and says when a series has no model', { timeout: 20_000 }, async () => {
    await helper.load(anomalyModules(), flow());
    const scored = collect('all');
    const before = await helper.request().get('/smarts-anomaly/anomaly/series');
    assert.deepEqual(before.body, []);
    helper.getNode('anomaly').receive({ payload: { hour: 3, kwh: 321 } });
    helper.getNode('anomaly').receive({ payload: { hour: 4, kwh: 1500 } });
    helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.fresh', ts: Date.UTC(2024, 0, 1), value: 0.3, unit: 'kWh', kind: 'energy', interval_s: 3600 } });
    await waitFor(() => scored.length === 3, 10_000, 'three scored readings');

    const series = await helper.request().get('/smarts-anomaly/anomaly/series');
    assert.equal(series.status, 200);
    assert.deepEqual(series.body, ['seed.power', 'sensor.fresh']);

    const seedAnswer = await helper.request().get('/smarts-anomaly/anomaly/series/seed.power');
    assert.equal(seedAnswer.status, 200);
    const seed = { body: seedAnswer.body as Described };
    assert.equal(seed.body.hasModel, true);
    assert.equal(seed.body.band?.slots, 'hour-of-day');
    assert.equal(seed.body.band?.rows.length, 24);
    assert.deepEqual(seed.body.recent.map((reading) => reading.value), [321, 1500]);
    assert.equal(typeof seed.body.lastTrained, 'number');
    assert.deepEqual(seed.body.preview, { high: 1, normal: 1, low: 1, appliesToModel: false, readings: 2 });

    const fresh = { body: (await helper.request().get('/smarts-anomaly/anomaly/series/sensor.fresh')).body as Described };
    assert.equal(fresh.body.hasModel, false);
    assert.equal(fresh.body.band, null);
    assert.equal(fresh.body.learning?.have, 1);

    const unknownNode = await helper.request().get('/smarts-anomaly/nope/series');
    assert.equal(unknownNode.status, 404);
    assert.match((unknownNode.body as { error: string }).error, /deploy this anomaly node first/);
  });

  it('describes a general (kind other) series: a band along its readings in their unit once warmed up, learning before', { timeout: 20_000 }, async () => {
    await helper.load(anomalyModules(), flow());
    const scored = collect('all');
    const hourly = (entityId: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({ entity_id: entityId, ts: Date.UTC(2024, 5, 3, index), value: 20 + 3 * Math.sin((2 * Math.PI * index) / 24), unit: '°C', kind: 'other' }));
    helper.getNode('anomaly').receive({ payload: hourly('sensor.office_temperature', 96) });
    helper.getNode('anomaly').receive({ payload: hourly('sensor.new_temperature', 12) });
    await waitFor(() => scored.length === 2, 10_000, 'two scored batches');

    const office = (await helper.request().get('/smarts-anomaly/anomaly/series/sensor.office_temperature')).body as Described;
    assert.equal(office.hasModel, true);
    assert.equal(office.modelId, 'general@1');
    assert.equal(office.learning, null);
    assert.equal(office.band?.slots, 'reading-time');
    assert.equal(office.band?.unit, '°C');
    assert.equal(office.band?.rows.length, 96);
    assert.deepEqual(office.band?.rows.map((row) => row.slot), office.recent.map((reading) => reading.ts));
    const last = office.band?.rows.at(-1);
    assert.ok(last && last.low < last.expected && last.expected < last.high && last.expected > 15 && last.expected < 25);

    const fresh = (await helper.request().get('/smarts-anomaly/anomaly/series/sensor.new_temperature')).body as Described;
    assert.equal(fresh.hasModel, false);
    assert.equal(fresh.band, null);
    assert.deepEqual(fresh.learning, { have: 12, need: 60 });
  });
});
