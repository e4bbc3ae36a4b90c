import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';
import { parseYaml } from './yaml';

type Automation = { id: string; alias: string; trigger: Array<Record<string, unknown>>; action: unknown[] };

describe('home-assistant/automations.yaml', () => {
  const automations = parseYaml(readFileSync(join(projectRoot(), 'home-assistant/automations.yaml'), 'utf8')) as Automation[];

  it('is a list of automations with unique ids, each triggered by the stream_smarts_anomaly event', () => {
    assert.ok(Array.isArray(automations) && automations.length >= 2);
    assert.equal(new Set(automations.map((a) => a.id)).size, automations.length);
    for (const automation of automations) {
      assert.ok(automation.alias && automation.action.length > 0);
      assert.deepEqual(automation.trigger, [{ platform: 'event', event_type: 'stream_smarts_anomaly' }]);
    }
  });
});
