import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { anomalyWatcherForSuite, collect, ha, helper, loadFlow, notifyLines, serverNode, setState, statuses, uniqueId, waitFor, type FlowNode } from '../integration/ha/support';

// The offline queue and input validation need no Home Assistant; delivery of anomaly alerts to the real HA is in
// test/integration/ha/. The meter offline alert is tested below against the real HA of the stack (.stack/stack.json).
function flow(notify: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'server', type: 'smarts-ha-server', url: 'http://127.0.0.1:1', heartbeat: 1 },
    { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.mobile_app_phone', wires: [['out'], ['feedback']], ...notify },
    { id: 'out', type: 'helper' },
    { id: 'feedback', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

const scored = (entityId: string, score: number) => ({ entity_id: entityId, ts: Date.now(), value: 3, unit: 'kWh', kind: 'energy', hour: 2, score, expected: 0.3, anomaly: score > 1 });

describe('smarts-ha-notify without Home Assistant', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  it('queues alerts while HA is unreachable, bounded, dropping the oldest with a warning', { timeout: 15_000 }, async () => {
    await loadFlow(flow({ queueSize: 2 }), { server: { token: 't0ken' } });
    const notify = helper.getNode('notify');
    const seen = statuses(notify);
    const out = collect<{ alert: { queued: boolean } }>(helper.getNode('out'));
    for (const id of ['sensor.a', 'sensor.b', 'sensor.c']) notify.receive({ payload: scored(id, 3) });
    await waitFor(() => out.length === 3, 5000, 'three outcomes');
    assert.ok(out.every((msg) => msg.alert.queued));
    await waitFor(() => seen.some((status) => /2 queued/.test(status.text ?? '')), 5000, 'status "2 queued"');
    const warnings = helper.log().getCalls().map((call) => JSON.stringify(call.args));
    assert.ok(warnings.some((line) => /dropped the oldest alert for sensor.a/.test(line)), 'a warning names the dropped alert');
  });

  it('a cooldown given as ${ENV_VAR} (as the demo flow sets it) takes the environment\'s value when the flow loads', { timeout: 15_000 }, async () => {
    /** Two anomalies of the same score for one meter: whether the second is held back by the cooldown. */
    const secondHeldBack = async (minutes: string): Promise<boolean> => {
      process.env.SMARTS_TEST_ALERT_COOLDOWN = minutes;
      await loadFlow(flow({ cooldown: '${SMARTS_TEST_ALERT_COOLDOWN}' }), { server: { token: 't0ken' } });
      const out = collect<{ alert: { push: { push: boolean; reason?: string } } }>(helper.getNode('out'));
      for (let i = 0; i < 2; i += 1) helper.getNode('notify').receive({ payload: scored('sensor.cooldown', 3) });
      await waitFor(() => out.length === 2, 5000, 'two outcomes');
      await helper.unload();
      assert.equal(out[0]?.alert.push.push, true);
      return out[1]?.alert.push.reason === 'cooldown';
    };
    try {
      assert.equal(await secondHeldBack('0'), false, 'a cooldown of 0 minutes from the environment lets the second through');
      assert.equal(await secondHeldBack('1'), true, 'a cooldown of 1 minute from the environment holds it back');
    } finally {
      delete process.env.SMARTS_TEST_ALERT_COOLDOWN;
    }
  });

  it('a payload that is not a scored reading reaches Catch', { timeout: 10_000 }, async () => {
    await loadFlow(flow(), { server: { token: 't0ken' } });
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    const out = collect(helper.getNode('out'));
    helper.getNode('notify').receive({ payload: 'hello' });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /must be a JSON object/);
    assert.equal(out.length, 0);
  });

  it('a meter_offline message without its fields reaches Catch, naming what is missing', { timeout: 10_000 }, async () => {
    await loadFlow(flow(), { server: { token: 't0ken' } });
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    helper.getNode('notify').receive({ topic: 'meter_offline', payload: { entity_id: 'sensor.home_energy', explanation: 'gone' } });
    await waitFor(() => errors.length === 1, 5000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /meter_offline payload needs 'since'/);
  });
});

interface OutcomeMsg {
  topic: string;
  alert: { kind?: string; push: { push: boolean; reason?: string }; queued: boolean };
}

describe('smarts-ha-notify: meter offline alert against the real Home Assistant', () => {
  const { events, client: watcher } = anomalyWatcherForSuite();
  after(async () => {
    await helper.unload();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('the meter\'s output 2 wired to notify: "offline" and "back online" reach the notify service, the persistent notification comes and goes, events say kind', { timeout: 60_000 }, async () => {
    const entityId = `sensor.${uniqueId('notify_offline')}`;
    const attributes = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' };
    await setState(entityId, 42, attributes);
    await loadFlow(
      [
        serverNode('server', ha().url),
        { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: entityId, interval: 3600, output: 'raw', offlineGrace: 0.05, wires: [[], ['notify']] },
        { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', wires: [['out'], []] },
        { id: 'out', type: 'helper' },
      ],
      { server: { token: ha().token } },
    );
    const seen = statuses(helper.getNode('notify'));
    const out = collect<OutcomeMsg>(helper.getNode('out'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
    const linesBefore = notifyLines().length;
    const written = (pattern: RegExp): boolean => notifyLines().slice(Math.max(0, linesBefore - 1)).some((line) => pattern.test(line));
    const escaped = entityId.replace('.', '\\.');
    const notificationId = `stream_smarts_offline_${entityId.replace('.', '_')}`;
    const persistent = async (): Promise<Array<{ notification_id: string; title: string; message: string }>> =>
      (await watcher().command<Array<{ notification_id: string; title: string; message: string }>>({ type: 'persistent_notification/get' })).filter((n) => n.notification_id === notificationId);

    await setState(entityId, 'unavailable', attributes);
    await waitFor(() => written(new RegExp(`^Energy meter ${escaped} has been unavailable since \\d\\d:\\d\\d \\(\\d+ s\\): readings are not being recorded$`)), 20_000, 'the offline message in the notify file');
    // HA writes the file before its service call returns; the node's outcome follows that answer
    await waitFor(() => out.length >= 1, 10_000, 'the outcome on output 1');
    assert.deepEqual(out.map((msg) => [msg.topic, msg.alert.kind, msg.alert.push.push]), [['meter_offline', 'meter_offline', true]]);
    const [shown] = await persistent();
    assert.equal(shown?.title, 'Energy meter offline');
    assert.match(shown?.message ?? '', /has been unavailable since/);
    await waitFor(() => events.some((event) => event.data.entity_id === entityId && event.data.kind === 'meter_offline'), 10_000, 'the event with kind meter_offline');
    assert.equal(events.find((event) => event.data.entity_id === entityId)?.data.cause, 'unavailable');

    await setState(entityId, 43, attributes);
    await waitFor(() => written(new RegExp(`^Energy meter ${escaped} is back online after \\d+ s \\(offline since \\d\\d:\\d\\d\\)$`)), 20_000, 'the back-online message in the notify file');
    await waitFor(() => events.some((event) => event.data.entity_id === entityId && event.data.kind === 'meter_online'), 10_000, 'the event with kind meter_online');
    assert.deepEqual(await persistent(), [], 'the persistent notification is dismissed');
    assert.deepEqual(out.map((msg) => msg.topic), ['meter_offline', 'meter_online']);
  });
});
