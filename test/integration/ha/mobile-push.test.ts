import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { hourMs } from '../../../core/units';
import { modelsDir } from '../../unit/core/anomaly/fixtures';
import { expectedAnswerReadings, markedExpectedNote, type HourReading } from '../../support/expected-answer';
import { loadNodeModules, type NodeModule } from '../../support/node-red-helper';
import { HaSocket } from '../e2e/support/ha-socket';
import { collect, ha, helper, rest, uniqueId, waitFor, type FlowNode } from './support';

/** What the companion app sends to register (POST /api/mobile_app/registrations). */
function registration(deviceName: string): Record<string, unknown> {
  return {
    device_id: uniqueId('device'),
    app_id: 'io.homeassistant.companion.android',
    app_name: 'Home Assistant',
    app_version: '2025.1.0',
    device_name: deviceName,
    manufacturer: 'Stream Smarts',
    model: 'Test phone',
    os_name: 'Android',
    os_version: '14',
    supports_encryption: false,
    app_data: { push_websocket_channel: true },
  };
}

interface PushMessage {
  message: string;
  title?: string;
  data?: { tag?: string; group?: string; actions?: Array<{ action: string; title: string }> };
  hass_confirm_id?: string;
}

/** A phone as the companion app is one: registered, holding the websocket's local push channel open. */
class Phone {
  readonly received: PushMessage[] = [];

  private constructor(
    readonly webhookId: string,
    readonly notifyService: string,
    private readonly socket: HaSocket,
  ) {}

  static async register(deviceName: string): Promise<Phone> {
    const { webhook_id: webhookId } = await rest<{ webhook_id: string }>('POST', '/api/mobile_app/registrations', registration(deviceName));
    const service = `mobile_app_${deviceName.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    const socket = await HaSocket.open(ha().url, ha().token);
    await waitFor(async () => {
      const services = await socket.command<Record<string, Record<string, unknown>>>({ type: 'get_services' });
      return services.notify?.[service] !== undefined;
    }, 20_000, `the notify service ${service} of the registered phone`);
    const phone = new Phone(webhookId, `notify.${service}`, socket);
    await socket.subscribe({ type: 'mobile_app/push_notification_channel', webhook_id: webhookId, support_confirm: true }, (event) => phone.receive(event as unknown as PushMessage));
    return phone;
  }

  private receive(push: PushMessage): void {
    this.received.push(push);
    if (push.hass_confirm_id) void this.socket.command({ type: 'mobile_app/push_notification_confirm', webhook_id: this.webhookId, confirm_id: push.hass_confirm_id });
  }

  /** What the app does when a button of a notification is pressed: the action event, through its webhook. */
  async press(action: string): Promise<void> {
    const response = await fetch(`${ha().url}/api/webhook/${this.webhookId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'fire_event', data: { event_type: 'mobile_app_notification_action', event_data: { action } } }),
    });
    assert.ok(response.ok, `the webhook answered HTTP ${response.status}`);
  }

  close(): void {
    this.socket.close();
  }
}

function catchNode(): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(require.resolve('@node-red/nodes/package.json'), '..', 'core', 'common', '25-catch.js')) as NodeModule;
}

function flow(service: string): FlowNode[] {
  return [
    { id: 'server', type: 'smarts-ha-server', url: ha().url, heartbeat: 1 },
    { id: 'tab', type: 'tab', label: 'phone' },
    { id: 'household', type: 'helper', z: 'tab', wires: [['anomaly']] },
    { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir: modelsDir, mapping: '', learnDays: 14, retrainHours: 24, saveModels: false, wires: [['notify', 'scored'], [], []] },
    { id: 'notify', type: 'smarts-ha-notify', z: 'tab', server: 'server', services: service, cooldown: 0, actions: true, wires: [['alerts'], ['anomaly', 'answers']] },
    ...['scored', 'alerts', 'answers', 'errors'].map((id) => ({ id, type: 'helper', z: 'tab' })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
  ];
}

interface ScoredMsg {
  payload: { entity_id: string; ts: number; score: number; anomaly: boolean; explanation?: string };
}

describe('a phone with the companion app receives the alert on its local push channel', () => {
  let phone: Phone | undefined;
  afterEach(async () => {
    phone?.close();
    await helper.unload();
  });

  it('gets title, message, tag and the two buttons; "Expected" reaches the anomaly node; back to normal clears it', { timeout: 90_000 }, async () => {
    phone = await Phone.register(`Stream Smarts ${uniqueId('phone')}`);
    await helper.load([...loadNodeModules('smarts-ha-server', 'smarts-ha-notify', 'smarts-anomaly'), catchNode()], flow(phone.notifyService), { server: { token: ha().token } });
    const scored = collect<ScoredMsg>(helper.getNode('scored'));
    const answers = collect<{ payload: unknown }>(helper.getNode('answers'));
    const alerts = collect(helper.getNode('alerts'));
    const errors = collect<{ error: { message: string } }>(helper.getNode('errors'));
    const entityId = `sensor.${uniqueId('phone_energy')}`;
    const readings = expectedAnswerReadings(entityId, Math.floor(Date.now() / hourMs) * hourMs - 72 * hourMs, 24);
    const score = async (reading: HourReading): Promise<ScoredMsg['payload']> => {
      const before = alerts.length;
      helper.getNode('household').send({ payload: { ...reading, friendly_name: 'Home energy' } });
      await waitFor(() => scored.find((msg) => msg.payload.ts === reading.ts) !== undefined && alerts.length > before, 30_000, `the score and the outcome for ${new Date(reading.ts).toISOString()}`).catch((error: Error) => {
        throw new Error(`${error.message} (scored ${scored.length}, errors: ${errors.map((msg) => msg.error.message).join('; ') || 'none'})`);
      });
      return (scored.find((msg) => msg.payload.ts === reading.ts) as ScoredMsg).payload;
    };

    const first = await score(readings.answered);
    assert.equal(first.anomaly, true, `20 kWh in an hour scored ${first.score}`);
    await waitFor(() => phone?.received.some((push) => push.data?.tag !== undefined) === true, 20_000, 'the push on the phone');
    const push = phone.received.find((message) => message.data?.tag !== undefined) as PushMessage;
    assert.equal(push.title, 'Stream Smarts: Home energy');
    assert.match(push.message, /^Unusual energy use: 20 kWh between \d\d:00 and \d\d:00, about [\d.]+ expected\. Is something left running\?$/);
    const tag = `stream_smarts_${entityId.replace('.', '_')}`;
    assert.equal(push.data?.tag, tag);
    assert.deepEqual(push.data?.actions?.map((action) => action.title), ['Expected', 'Investigate']);

    await phone.press((push.data?.actions?.[0] as { action: string }).action);
    await waitFor(() => answers.length === 1, 15_000, 'the answer on the notify node\'s output 2');
    assert.deepEqual(answers[0]?.payload, { feedback: 'expected', entity_id: entityId, ts: readings.answered.ts });
    const inside = await score(readings.inside);
    assert.deepEqual([inside.anomaly, inside.explanation], [false, markedExpectedNote], 'the anomaly node took the answer: the same hour a day later is expected');

    await waitFor(() => phone?.received.some((message) => message.message === 'clear_notification') === true, 20_000, 'clear_notification after the return to normal');
    const clear = phone.received.find((message) => message.message === 'clear_notification');
    assert.equal(clear?.data?.tag, tag, 'the clear carries the alert\'s tag, so the app removes that notification');
    assert.deepEqual(errors.map((msg) => msg.error.message), []);
  });
});
