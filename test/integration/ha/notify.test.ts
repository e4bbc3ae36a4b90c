import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { scoreSensorId } from '../../../core/ha/notify/alert-plan';
import { actionId } from '../../../core/ha/notify/feedback';
import { anomalyWatcherForSuite, collect, fireEvent, getState, ha, haProxyForSuite, helper, loadFlow, notifyLines, serverNode, statuses, uniqueId, waitFor, type FlowNode } from './support';

function notifyFlow(url: string, extra: Record<string, unknown> = {}): FlowNode[] {
  return [
    serverNode('server', url),
    { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', cooldown: 60, wires: [['out'], ['feedback']], ...extra },
    { id: 'out', type: 'helper' },
    { id: 'feedback', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
}

function scored(entityId: string, value: number, score: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = new Date();
  ts.setHours(2, 0, 0, 0);
  return { entity_id: entityId, ts: ts.getTime(), value, unit: 'kWh', kind: 'energy', hour: 2, interval_s: 3600, score, anomaly_score: 0.9, anomaly: score > 1, expected: 0.3, model: 'test', ...extra };
}

interface AlertMsg {
  alert: { push: { push: boolean; reason?: string }; queued: boolean };
}

describe('smarts-ha-notify against the real Home Assistant', () => {
  const { events, client: watcher } = anomalyWatcherForSuite();
  afterEach(async () => {
    await helper.unload();
  });

  async function loadConnected(flow: FlowNode[]): Promise<void> {
    await loadFlow(flow, { server: { token: ha().token } });
    const seen = statuses(helper.getNode('notify'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'connected status');
  }

  it('notifies through the notify service, creates a persistent notification, fires the event and sets the sensor', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('alert')}`;
    await loadConnected(notifyFlow(ha().url));
    const out = collect<AlertMsg>(helper.getNode('out'));
    const linesBefore = notifyLines().length;
    helper.getNode('notify').receive({ payload: scored(entityId, 3.1, 4.2) });
    await waitFor(() => out.length === 1, 15_000, 'the alert outcome');
    assert.equal(out[0]?.alert.push.push, true);

    // The file notify service wrote the message: read it back.
    await waitFor(() => notifyLines().slice(linesBefore - 1).some((line) => line.includes('Unusual energy use: 3.1 kWh between 02:00 and 03:00, about 0.3 expected. Is something left running?')), 10_000, 'the message in the notify file');

    const notifications = await watcher().command<Array<{ notification_id: string; message: string }>>({ type: 'persistent_notification/get' });
    const mine = notifications.find((n) => n.notification_id === `stream_smarts_${entityId.replace('.', '_')}`);
    assert.ok(mine, 'the persistent notification exists');
    assert.match(mine.message, /3\.1 kWh/);

    await waitFor(() => events.some((event) => event.data.entity_id === entityId), 10_000, 'the stream_smarts_anomaly event');
    const event = events.find((e) => e.data.entity_id === entityId);
    assert.deepEqual(Object.keys(event?.data ?? {}).sort(), ['entity_id', 'expected', 'friendly_name', 'score', 'ts', 'unit', 'value']);
    assert.equal(event?.data.score, 4.2);

    const sensor = await getState(scoreSensorId(entityId));
    assert.equal(sensor?.state, '4.2');
    assert.equal(sensor?.attributes.state_class, 'measurement');
    assert.equal(sensor?.attributes.expected, 0.3);
    assert.equal(sensor?.attributes.value, 3.1);
    assert.ok(sensor?.attributes.last_anomaly, 'last_anomaly is set');
  });

  it('respects the cooldown: a lower score within it is not pushed again, a higher one is', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('cooldown')}`;
    await loadConnected(notifyFlow(ha().url, { message: 'cooldown test {{entity_id}}: {{value}} {{unit}}' }));
    const out = collect<AlertMsg>(helper.getNode('out'));
    const notify = helper.getNode('notify');
    const count = (): number => notifyLines().filter((line) => line.startsWith(`cooldown test ${entityId}:`)).length;
    // Three intervals one after another: the same interval twice would be a duplicate, not a cooldown.
    const first = scored(entityId, 3, 3);
    const later = (hours: number): Record<string, unknown> => ({ ts: Number(first.ts) + hours * 3_600_000, hour: 2 + hours });
    notify.receive({ payload: first });
    await waitFor(() => out.length === 1 && count() === 1, 10_000, 'the first notification');
    notify.receive({ payload: scored(entityId, 2.5, 2, later(1)) });
    await waitFor(() => out.length === 2, 10_000, 'the second outcome');
    assert.deepEqual(out[1]?.alert.push, { push: false, reason: 'cooldown' });
    notify.receive({ payload: scored(entityId, 5, 6, later(2)) });
    await waitFor(() => out.length === 3 && count() === 2, 10_000, 'the higher score breaking through');
    assert.equal(count(), 2);
  });

  it('quiet hours hold back the push but the event and the sensor still happen', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('quiet')}`;
    const clock = (ms: number): string => {
      const date = new Date(ms);
      return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
    };
    const now = Date.now();
    await loadConnected(notifyFlow(ha().url, { message: 'quiet test {{entity_id}}', quietStart: clock(now - 3_600_000), quietEnd: clock(now + 3_600_000) }));
    const out = collect<AlertMsg>(helper.getNode('out'));
    helper.getNode('notify').receive({ payload: scored(entityId, 3, 3) });
    await waitFor(() => out.length === 1, 10_000, 'the outcome');
    assert.deepEqual(out[0]?.alert.push, { push: false, reason: 'quiet-hours' });
    await waitFor(() => events.some((event) => event.data.entity_id === entityId), 10_000, 'the event despite quiet hours');
    await waitFor(async () => (await getState(scoreSensorId(entityId)))?.state === '3', 10_000, 'the sensor despite quiet hours');
    assert.ok(!notifyLines().includes(`quiet test ${entityId}`), 'no push during quiet hours');
  });

  it('clears the notification (same tag) when the readings are back to normal', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('clear')}`;
    await loadConnected(notifyFlow(ha().url, { message: 'clear test {{entity_id}}' }));
    const out = collect<AlertMsg>(helper.getNode('out'));
    const notify = helper.getNode('notify');
    const clears = (): number => notifyLines().filter((line) => line === 'clear_notification').length;
    const before = clears();
    notify.receive({ payload: scored(entityId, 3, 3) });
    await waitFor(() => notifyLines().includes(`clear test ${entityId}`), 10_000, 'the anomaly notification');
    notify.receive({ payload: scored(entityId, 0.4, 0.2) });
    await waitFor(() => clears() === before + 1, 10_000, 'clear_notification sent');
    notify.receive({ payload: scored(entityId, 0.4, 0.1) });
    await waitFor(() => out.length === 3, 10_000, 'three outcomes');
    assert.equal(clears(), before + 1, 'cleared once, not on every normal reading');
    await waitFor(async () => (await getState(scoreSensorId(entityId)))?.state === '0.1', 10_000, 'the sensor follows normal readings too');
  });

  it('sends the phone\'s answer to an action out of output 2', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('action')}`;
    await loadConnected(notifyFlow(ha().url));
    const feedback = collect<{ payload: Record<string, unknown> }>(helper.getNode('feedback'));
    const reading = scored(entityId, 3, 3);
    // What the companion app fires when the "Investigate" button is pressed.
    await fireEvent('mobile_app_notification_action', { action: actionId('smarts_notify', 'investigate', entityId, reading.ts as number) });
    await fireEvent('mobile_app_notification_action', { action: 'SOMETHING_ELSE' });
    await waitFor(() => feedback.length === 1, 10_000, 'feedback on output 2');
    assert.deepEqual(feedback[0]?.payload, { feedback: 'investigate', entity_id: entityId, ts: reading.ts });
  });

  it('a refused service call shows on the status and reaches Catch', { timeout: 30_000 }, async () => {
    const entityId = `sensor.${uniqueId('fail')}`;
    await loadConnected(notifyFlow(ha().url, { services: 'notify.no_such_phone' }));
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    const seen = statuses(helper.getNode('notify'));
    helper.getNode('notify').receive({ payload: scored(entityId, 3, 3) });
    await waitFor(() => errors.length === 1, 10_000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /no_such_phone|not found/i);
    await waitFor(() => seen.some((status) => status.fill === 'red' && /last error/.test(status.text ?? '')), 5000, 'a red status');
    assert.ok(!JSON.stringify(errors).includes(ha().token), 'no token in the error');
  });

  it('a message that is not a scored reading reaches Catch naming the field', { timeout: 20_000 }, async () => {
    await loadConnected(notifyFlow(ha().url));
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    helper.getNode('notify').receive({ payload: { entity_id: 'sensor.x', ts: Date.now(), value: 1, unit: 'kWh', kind: 'energy' } });
    await waitFor(() => errors.length === 1, 10_000, 'the error at Catch');
    assert.match(errors[0]?.error.message ?? '', /'score'/);
  });

  describe('while Home Assistant is unreachable', () => {
    const proxy = haProxyForSuite();

    it('queues the alert and delivers it when HA is back', { timeout: 60_000 }, async () => {
      const entityId = `sensor.${uniqueId('queued')}`;
      await loadConnected(notifyFlow(proxy.url, { message: 'queued test {{entity_id}}: {{value}} {{unit}}' }));
      const delivered = (): number => notifyLines().filter((line) => line === `queued test ${entityId}: 4 kWh`).length;
      const notify = helper.getNode('notify');
      const seen = statuses(notify);
      const out = collect<AlertMsg>(helper.getNode('out'));
      proxy.refuse();
      await waitFor(() => seen.some((status) => /^disconnected/.test(status.text ?? '')), 10_000, 'disconnected');
      notify.receive({ payload: scored(entityId, 4, 5) });
      await waitFor(() => out.length === 1, 10_000, 'the outcome');
      assert.equal(out[0]?.alert.queued, true);
      await waitFor(() => seen.some((status) => /1 queued/.test(status.text ?? '')), 5000, 'status "1 queued"');
      assert.equal(delivered(), 0);
      proxy.heal();
      await waitFor(() => delivered() === 1, 30_000, 'the queued notification delivered');
      await waitFor(async () => (await getState(scoreSensorId(entityId)))?.state === '5', 10_000, 'the sensor set after reconnect');
    });
  });
});
