import { strict as assert } from 'node:assert';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { modelsDir } from '../unit/core/anomaly/fixtures';
import { anomalyModules, collect } from '../support/anomaly-node';
import { helper, type FlowNode, type HelperNode } from '../support/node-red-helper';
import { waitFor } from '../support/wait';

// Learned state across a redeploy (issue 16 item 1, without a broker): the node writes each
// series' state beside its models when it closes and restores it when it starts, so a series
// goes on learning where it was instead of from a cold default.

function flow(modelDir: string): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'state' },
    { id: 'kept', type: 'smarts-anomaly', z: 'tab', modelDir, mapping: '', learnDays: 14, retrainHours: 24, saveModels: false, wires: [['all'], [], []] },
    { id: 'all', type: 'helper', z: 'tab' },
  ];
}

function statusTexts(node: HelperNode): string[] {
  const seen: string[] = [];
  node.on('call:status', (call: never) => seen.push((call as { args: [{ text?: string }] }).args[0].text ?? ''));
  return seen;
}

const reading = (n: number) => ({ entity_id: 'sensor.kept_meter', ts: Date.UTC(2026, 0, 1, n), value: 0.3 + (n % 4) / 10, unit: 'kWh', kind: 'energy', interval_s: 3600 });

describe('smarts-anomaly node: learned state across a redeploy', () => {
  let dir = '';
  after(async () => {
    await helper.unload();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('five readings, a redeploy, and the sixth is learning 6/336, not 1/336; a reading repeated after the redeploy is late', { timeout: 30_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-anomaly-state-'));
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
    await helper.load(anomalyModules(), flow(dir));
    const before = collect('all');
    for (let n = 0; n < 5; n += 1) helper.getNode('kept').receive({ payload: reading(n) });
    await waitFor(() => before.length === 5, 10_000, 'five readings scored');
    await helper.unload();
    const saved = await readFile(join(dir, '.state', 'kept.jsonl'), 'utf8');
    assert.match(saved, /"entityId":"sensor.kept_meter"/);

    await helper.load(anomalyModules(), flow(dir));
    const texts = statusTexts(helper.getNode('kept'));
    const afterRedeploy = collect('all');
    helper.getNode('kept').receive({ payload: reading(4) });
    helper.getNode('kept').receive({ payload: reading(5) });
    await waitFor(() => afterRedeploy.length === 2, 10_000, 'two readings scored after the redeploy');
    assert.equal((afterRedeploy[0]?.payload as { late?: boolean }).late, true, 'the repeated reading is known: late');
    await waitFor(() => texts.some((text) => /^learning 6\/336/.test(text)), 5000, `status "learning 6/336" (saw ${JSON.stringify(texts)})`);
  });
});
