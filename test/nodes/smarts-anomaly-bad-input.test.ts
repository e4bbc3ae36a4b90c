import { strict as assert } from 'node:assert';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { modelsDir } from '../unit/core/anomaly/fixtures';
import { anomalyModules, collect } from '../support/anomaly-node';
import { helper, type FlowNode, type HelperNode } from '../support/node-red-helper';
import { waitFor } from '../support/wait';

// The bad-input catalogue's cases at the anomaly node (docs/bad-input.md): each goes to Catch
// with a red status that says what is wrong, and the node goes on scoring the good readings.

function flow(modelDir: string, mapping = ''): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'bad input' },
    { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir, mapping, learnDays: 14, retrainHours: 24, saveModels: false, wires: [['all'], [], []] },
    { id: 'all', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

function statuses(node: HelperNode): { text?: string; fill?: string }[] {
  const seen: { text?: string; fill?: string }[] = [];
  node.on('call:status', (call: never) => seen.push((call as { args: [{ text?: string; fill?: string }] }).args[0]));
  return seen;
}

const good = (n: number) => ({ entity_id: 'sensor.bad_input_meter', ts: Date.UTC(2026, 0, 1, n), value: 0.4 + (n % 3) / 10, unit: 'kWh', kind: 'energy', interval_s: 3600 });
const messageOf = (msg: Record<string, unknown> | undefined) => (msg?.error as { message?: string } | undefined)?.message ?? '';

describe('smarts-anomaly node: bad input', () => {
  const dirs: string[] = [];
  async function modelDir(prepare?: (dir: string) => Promise<void>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'smarts-anomaly-bad-'));
    dirs.push(dir);
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
    await prepare?.(dir);
    return dir;
  }
  afterEach(async () => helper.unload());
  after(async () => {
    await helper.unload();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a payload of the wrong type, no entity id, an hour out of range: each to Catch with a red status, and the next good reading is scored', { timeout: 30_000 }, async () => {
    await helper.load(anomalyModules(), flow(await modelDir()));
    const anomaly = helper.getNode('anomaly');
    const all = collect('all');
    const errors = collect('errors');
    const seen = statuses(anomaly);
    const cases: [unknown, RegExp][] = [
      ['sensor.x 3.5 kWh', /a reading must be a JSON object, got/],
      [42, /a reading must be a JSON object, got/],
      [Buffer.from('{"entity_id":"sensor.x"}'), /msg\.payload is 24 bytes \(a Buffer\), not a reading/],
      [{ ts: Date.UTC(2026, 0, 1), value: 1, unit: 'kWh', kind: 'energy' }, /'entity_id' must be a non-empty string/],
      [{ ...good(0), entity_id: '' }, /'entity_id' must be a non-empty string/],
      [{ ...good(0), hour: 99 }, /'hour' must be an integer 0-23/],
      [{ ...good(0), value: 'lots' }, /'value' must be a finite number/],
    ];
    for (const [index, [payload, expected]] of cases.entries()) {
      anomaly.receive({ payload });
      await waitFor(() => errors.length === index + 1, 10_000, `case ${index} at Catch`);
      assert.match(messageOf(errors[index]), expected, `case ${index}`);
    }
    assert.ok(seen.some((status) => status.fill === 'red' && /bad input/.test(status.text ?? '')), `a red "bad input" status: ${JSON.stringify(seen.slice(-3))}`);
    anomaly.receive({ payload: good(1) });
    await waitFor(() => all.length === 1, 10_000, 'the good reading after the bad ones scored');
    assert.equal((all[0]?.payload as { entity_id: string }).entity_id, 'sensor.bad_input_meter');
    assert.ok(Number.isFinite((all[0]?.payload as { score: number }).score));
    assert.equal(errors.length, cases.length, 'nothing else went to Catch');
  });

  it('a model directory that does not exist: new series start from the shipped default model and are scored', { timeout: 30_000 }, async () => {
    const dir = await modelDir(async (created) => rm(created, { recursive: true, force: true }));
    await helper.load(anomalyModules(), flow(dir));
    const all = collect('all');
    const errors = collect('errors');
    helper.getNode('anomaly').receive({ payload: good(2) });
    await waitFor(() => all.length === 1, 20_000, 'the reading scored');
    assert.equal(errors.length, 0);
    assert.equal((all[0]?.payload as { model?: string }).model, 'default (cold start)');
    assert.ok(Number.isFinite((all[0]?.payload as { score: number }).score));
  });

  it('a model for another kind (a water series mapped to the energy default): Catch and a red status for that series; other series are scored, a water series of its own without the default', { timeout: 30_000 }, async () => {
    await helper.load(anomalyModules(), flow(await modelDir(), 'sensor.water_mapped=default'));
    const anomaly = helper.getNode('anomaly');
    const all = collect('all');
    const errors = collect('errors');
    const seen = statuses(anomaly);
    const water = (entityId: string, n: number) => ({ entity_id: entityId, ts: Date.UTC(2026, 0, 1, n), value: 40 + n, unit: 'L', kind: 'water', interval_s: 3600 });
    anomaly.receive({ payload: water('sensor.water_mapped', 0) });
    await waitFor(() => errors.length === 1, 10_000, 'the mapped water series at Catch');
    assert.match(messageOf(errors[0]), /the default model is for energy and power, not water readings \(.*default\)$/);
    assert.ok(seen.some((status) => status.fill === 'red' && /^bad input: the default model is for energy and power/.test(status.text ?? '')), `a red status naming the model: ${JSON.stringify(seen.slice(-3))}`);
    anomaly.receive({ payload: good(4) });
    anomaly.receive({ payload: water('sensor.water', 5) });
    await waitFor(() => all.length === 2, 20_000, 'the other series scored');
    const scored = all.map((msg) => msg.payload as { entity_id: string; score: number; expected: number });
    const energy = scored.find((out) => out.entity_id === 'sensor.bad_input_meter');
    const own = scored.find((out) => out.entity_id === 'sensor.water');
    assert.ok(Number.isFinite(energy?.score), JSON.stringify(scored));
    assert.equal(own?.expected, 45, 'a water series starts from its own readings, not from the energy default');
    anomaly.receive({ payload: water('sensor.water_mapped', 6) });
    await waitFor(() => errors.length === 2, 10_000, 'the next reading of the mapped series at Catch too');
    assert.match(messageOf(errors[1]), /not water readings/);
    assert.equal(all.length, 2);
  });

  it("a corrupt default model (its weights flipped): a warning names the file, the series runs on the cold start, the reading is scored", { timeout: 30_000 }, async () => {
    const dir = await modelDir(async (created) => {
      const file = join(created, 'default', 'weights.bin');
      const weights = await readFile(file);
      weights[0] = (weights[0] ?? 0) ^ 0xff;
      await writeFile(file, weights);
    });
    await helper.load(anomalyModules(), flow(dir));
    const all = collect('all');
    helper.getNode('anomaly').receive({ payload: good(3) });
    await waitFor(() => all.length === 1, 20_000, 'the reading scored');
    const warnings = helper
      .log()
      .getCalls()
      .map((call) => call.args[0] as { level?: number; msg?: unknown })
      .filter((entry) => entry.level === 30)
      .map((entry) => String(entry.msg));
    assert.ok(warnings.some((line) => /no default model .*weights\.bin is corrupt/.test(line)), `a warning naming the corrupt file: ${JSON.stringify(warnings)}`);
    assert.ok(Number.isFinite((all[0]?.payload as { score: number }).score));
  });
});
