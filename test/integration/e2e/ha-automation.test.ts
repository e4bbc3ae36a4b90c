import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot, stackInfo } from '../../support/stack';
import { parseYaml } from '../../unit/compose/yaml';
import { eventually, HaSocket, runId } from './support/ha-socket';

type Automation = { id: string; alias: string; trigger: Array<Record<string, unknown>>; action: unknown[] };
type Trace = { run_id: string; state: string; script_execution: string | null };

// home-assistant/automations.yaml loaded into the stack's real Home Assistant. Each
// automation gets this run's id and listens only to this run's meter, so the shared Home
// Assistant and other tests are not disturbed; the smart plug is an input_boolean made here.
describe('example Home Assistant automations react to stream_smarts_anomaly', { timeout: 120_000 }, () => {
  const run = runId();
  const meter = `sensor.e2e_${run}_energy`;
  let ha: HaSocket;
  let automationsFile: string;
  let plugId: string;
  let plug: string;
  let ours: Automation[] = [];

  const readAutomations = (): Automation[] => (parseYaml(readFileSync(automationsFile, 'utf8')) as Automation[] | null) ?? [];
  const writeAutomations = (list: Automation[]) => writeFileSync(automationsFile, `${JSON.stringify(list, null, 2)}\n`);
  const state = async (entityId: string) =>
    (await ha.command<Array<{ entity_id: string; state: string; attributes: Record<string, unknown> }>>({ type: 'get_states' })).find(
      (entity) => entity.entity_id === entityId,
    );
  const traces = (id: string) => ha.command<Trace[]>({ type: 'trace/list', domain: 'automation', item_id: id });
  const fire = (data: Record<string, unknown>) =>
    ha.command({ type: 'fire_event', event_type: 'stream_smarts_anomaly', event_data: { entity_id: meter, ts: Date.now(), unit: 'kWh', ...data } });

  /** This run's lines in Home Assistant's system log from the stream_smarts logger. */
  const logLines = async (): Promise<string[]> => {
    const entries = await ha.command<Array<{ name: string; message: string[] }>>({ type: 'system_log/list' });
    return entries.filter((entry) => entry.name === 'stream_smarts').flatMap((entry) => entry.message).filter((message) => message.includes(run));
  };

  before(async () => {
    const info = stackInfo();
    ha = await HaSocket.open(info.ha.url, info.ha.token);
    automationsFile = join(info.ha.configDir, 'automations.yaml');
    const created = await ha.command<{ id: string }>({ type: 'input_boolean/create', name: `Stream Smarts test plug ${run}` });
    plugId = created.id;
    plug = `input_boolean.${created.id}`;
    await ha.callService('input_boolean', 'turn_on', {}, { entity_id: plug });

    const examples = parseYaml(readFileSync(join(projectRoot(), 'home-assistant/automations.yaml'), 'utf8')) as Automation[];
    ours = examples.map((automation) => {
      const copy = JSON.parse(JSON.stringify(automation).replaceAll('switch.heater_plug', plug)) as Automation;
      copy.id = `${automation.id}_${run}`;
      copy.alias = `${automation.alias} (test ${run})`;
      copy.trigger = copy.trigger.map((trigger) => ({ ...trigger, event_data: { entity_id: meter } }));
      return copy;
    });
    writeAutomations([...readAutomations(), ...ours]);
    await ha.callService('automation', 'reload');
    await eventually('the example automations to load', async () => {
      const states = await ha.command<Array<{ entity_id: string; attributes: { id?: string } }>>({ type: 'get_states' });
      const loaded = states.filter((s) => s.entity_id.startsWith('automation.') && ours.some((a) => a.id === s.attributes.id));
      return loaded.length === ours.length ? loaded : undefined;
    });
  });

  after(async () => {
    if (automationsFile) writeAutomations(readAutomations().filter((automation) => !ours.some((mine) => mine.id === automation.id)));
    if (ha) {
      await ha.callService('automation', 'reload').catch(() => undefined);
      if (plugId) await ha.command({ type: 'input_boolean/delete', input_boolean_id: plugId }).catch(() => undefined);
      ha.close();
    }
  });

  it('a normal score triggers them but their conditions keep them quiet', async () => {
    await fire({ value: 0.4, expected: 0.35, score: 0.6 });
    for (const automation of ours) {
      const [trace] = await eventually(`a trace of ${automation.id}`, async () => {
        const list = await traces(automation.id);
        return list.length > 0 && list.every((t) => t.state === 'stopped') ? list : undefined;
      });
      assert.equal(trace!.script_execution, 'failed_conditions');
    }
    assert.equal((await logLines()).length, 0);
    assert.equal((await state(plug))?.state, 'on');
  });

  it('an anomaly writes one readable log line (no second persistent notification) and switches the plug off', async () => {
    await fire({ friendly_name: `Home energy ${run}`, value: 3.0999999999999996, expected: 0.2320508981384265, score: 4.2173 });
    const [line] = await eventually('the log line', async () => {
      const lines = await logLines();
      return lines.length > 0 ? lines : undefined;
    });
    assert.equal(line, `Home energy ${run} used 3.1 kWh where about 0.23 was expected (score 4.2). Is something left running?`);
    const notifications = await ha.command<Array<{ notification_id: string; message: string }>>({ type: 'persistent_notification/get' });
    assert.deepEqual(
      notifications.filter((n) => n.message.includes(run) || n.notification_id.includes(run)),
      [],
      'the automation adds no persistent notification beside the notify node\'s',
    );
    await eventually('the plug to switch off', async () => ((await state(plug))?.state === 'off' ? true : undefined));
    for (const automation of ours) {
      const list = await traces(automation.id);
      assert.ok(list.some((t) => t.script_execution === 'finished'), `${automation.id} did not run to the end`);
    }
  });
});
