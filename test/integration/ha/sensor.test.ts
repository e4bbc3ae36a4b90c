import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Reading } from '../../../core/reading';
import { stackInfo } from '../../support/stack';
import { collect, connectedClient, ha, helper, loadFlow, rest, serverNode, setState, sleep, statuses, uniqueId, waitFor, type FlowNode } from './support';

// Any numeric Home Assistant sensor, not only meters: a temperature read as kind `other` in its
// own unit, its hourly mean from HA's statistics, and the editor's picker offering it.

interface ReadingMsg {
  topic: string;
  payload: Reading;
}

const hour = 3_600_000;
const temperature = { unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement' };

function meterFlow(entityId: string, output: string): FlowNode[] {
  return [
    serverNode('server', ha().url),
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: entityId, interval: 3600, output, offlineGrace: 0, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

async function connected(flow: FlowNode[]): Promise<{ out: ReadingMsg[]; errors: unknown[] }> {
  await loadFlow(flow, { server: { token: ha().token } });
  const seen = statuses(helper.getNode('meter'));
  const out = collect<ReadingMsg>(helper.getNode('out'));
  const errors = collect(helper.getNode('errors'));
  await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
  return { out, errors };
}

/** Hourly long-term statistics with a mean (a measurement), then waits until HA serves them. */
async function importHourlyMeans(entityId: string, firstHourStart: number, means: readonly number[]): Promise<void> {
  const client = await connectedClient();
  try {
    await client.command({
      type: 'recorder/import_statistics',
      metadata: { has_mean: true, has_sum: false, name: entityId, source: 'recorder', statistic_id: entityId, unit_of_measurement: '°C' },
      stats: means.map((mean, i) => ({ start: new Date(firstHourStart + i * hour).toISOString(), mean, min: mean - 1, max: mean + 1 })),
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const result = await client.command<Record<string, unknown[]>>({
        type: 'recorder/statistics_during_period',
        start_time: new Date(firstHourStart).toISOString(),
        end_time: new Date(firstHourStart + means.length * hour).toISOString(),
        statistic_ids: [entityId],
        period: 'hour',
        types: ['mean'],
      });
      if ((result[entityId]?.length ?? 0) >= means.length) return;
      if (Date.now() > deadline) throw new Error(`HA did not serve the ${means.length} imported hourly means of ${entityId}`);
      await sleep(250);
    }
  } finally {
    await client.stop();
  }
}

describe('smarts-ha-meter reads any numeric sensor of the real Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it("the stack's freezer temperature (a template sensor, °C, measurement) follows its input as kind other in °C", { timeout: 60_000 }, async () => {
    const entities = stackInfo().ha.entities;
    const sensor = entities?.temperature;
    const input = entities?.temperatureInput;
    assert.ok(sensor && input, 'the stack has no temperature sensor: it was started before scripts/stack/ha/configuration.yaml.in had one; restart it (npm run stack:down, then npm run stack:up)');
    await rest('POST', '/api/services/input_number/set_value', { entity_id: input, value: -18.5 });
    const { out, errors } = await connected(meterFlow(sensor, 'raw'));
    await rest('POST', '/api/services/input_number/set_value', { entity_id: input, value: -4 });
    await waitFor(() => out.some((msg) => msg.payload.value === -4), 15_000, 'the −4 °C state');
    const reading = out.find((msg) => msg.payload.value === -4)?.payload;
    assert.equal(reading?.kind, 'other');
    assert.equal(reading?.unit, '°C');
    assert.equal(reading?.entity_id, sensor);
    assert.equal(reading?.friendly_name, 'Freezer temperature');
    assert.deepEqual(errors, []);
  });

  it('a temperature sensor: live states as kind other in °C, nothing refused', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('fridge')}`;
    await setState(entityId, 4.2, { ...temperature, friendly_name: 'Fridge temperature' });
    const { out, errors } = await connected(meterFlow(entityId, 'raw'));
    await sleep(500);
    await setState(entityId, -1.5, { ...temperature, friendly_name: 'Fridge temperature' });
    await waitFor(() => out.some((msg) => msg.payload.value === -1.5), 10_000, 'the −1.5 °C state');
    const readings = out.map((msg) => msg.payload).filter((reading) => reading.entity_id === entityId);
    assert.ok(readings.every((reading) => reading.kind === 'other' && reading.unit === '°C'), JSON.stringify(readings));
    assert.deepEqual(errors, []);
  });

  it("a measurement's hourly mean comes from HA's statistics (mean, not change) for a history request", { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('freezer')}`;
    await setState(entityId, -18, temperature);
    const first = Math.floor(Date.now() / hour) * hour - 30 * hour;
    const means = Array.from({ length: 24 }, (_, i) => -18 - (i % 3) / 10);
    await importHourlyMeans(entityId, first, means);
    const { out, errors } = await connected(meterFlow(entityId, 'history'));
    helper.getNode('meter').receive({ topic: 'history', payload: { days: 2 } });
    await waitFor(() => out.length === 1, 30_000, 'the history answer');
    const answer = out[0]?.payload as unknown as Reading[];
    const byStart = new Map(answer.filter((reading) => reading.entity_id === entityId).map((reading) => [reading.ts, reading]));
    for (const [i, mean] of means.entries()) {
      const reading = byStart.get(first + i * hour);
      assert.ok(reading, `hour ${i} in the answer`);
      assert.equal(reading.value, mean);
      assert.equal(reading.kind, 'other');
      assert.equal(reading.unit, '°C');
    }
    assert.deepEqual(errors, []);
  });

  it("the editor's picker offers a temperature sensor beside the meters, with its state class", { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('pick_temperature')}`;
    const text = `sensor.${uniqueId('pick_text')}`;
    await setState(entityId, 21.5, { ...temperature, friendly_name: 'Living room' });
    await setState(text, 'sunny', {});
    await connected(meterFlow(entityId, 'raw'));
    const all = await helper.request().get('/smarts-ha-server/server/entities');
    assert.equal(all.status, 200);
    const choices = all.body as Array<{ entity_id: string }>;
    assert.deepEqual(
      choices.find((choice) => choice.entity_id === entityId),
      { entity_id: entityId, name: 'Living room', device_class: 'temperature', unit: '°C', state_class: 'measurement' },
    );
    assert.ok(!choices.some((choice) => choice.entity_id === text), 'a text sensor is not offered');
  });
});
