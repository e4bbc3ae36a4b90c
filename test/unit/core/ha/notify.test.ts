import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearCalls, eventCall, pushCalls, scoreSensorId, sensorCall, splitService, tagFor } from '../../../../core/ha/notify/alert-plan';
import { actionId, feedbackFromAction } from '../../../../core/ha/notify/feedback';
import { AlertPolicy, inQuietHours } from '../../../../core/ha/notify/policy';
import { alertFields, renderTemplate, defaultTemplate } from '../../../../core/ha/notify/template';
import { BoundedQueue } from '../../../../core/ha/notify/alert-queue';

const ts = new Date(2026, 0, 5, 2, 0, 0).getTime();
const subject = { entity_id: 'sensor.home_energy', ts, value: 3.1, expected: 0.3, score: 4.2, unit: 'kWh', kind: 'energy' as const, hour: 2, interval_s: 3600, anomaly: true };

describe('message template', () => {
  it('reads like a sentence by default', () => {
    assert.equal(
      renderTemplate(defaultTemplate('energy'), alertFields(subject)),
      'Unusual energy use: 3.1 kWh between 02:00 and 03:00, about 0.3 expected. Is something left running?',
    );
  });

  it('says "at" for a single reading instead of an empty interval', () => {
    const { interval_s: _interval, ...single } = subject;
    assert.equal(
      renderTemplate(defaultTemplate('energy'), alertFields({ ...single, ts: new Date(2026, 0, 5, 21, 26).getTime() })),
      'Unusual energy use: 3.1 kWh at 21:26, about 0.3 expected. Is something left running?',
    );
  });

  it('reads a seed record in Wh as kWh', () => {
    const seed = { ...subject, ts: new Date(2026, 0, 5, 4, 0).getTime(), value: 1500, expected: 236, unit: 'Wh', hour: 4 };
    assert.equal(
      renderTemplate(defaultTemplate('energy'), alertFields(seed)),
      'Unusual energy use: 1.5 kWh between 04:00 and 05:00, about 0.24 expected. Is something left running?',
    );
    assert.equal(alertFields({ ...seed, value: 300, expected: 236 }).unit, 'Wh');
  });

  it("reads a sensor's value and what is usual in its own unit: a freezer too warm", () => {
    const freezer = { entity_id: 'sensor.freezer', ts, value: -4, expected: -18.31, score: 3.2, unit: '°C', kind: 'other' as const, hour: 2, interval_s: 3600, friendly_name: 'Freezer temperature' };
    assert.equal(renderTemplate(defaultTemplate('other'), alertFields(freezer)), 'Freezer temperature \u22124 °C, usually \u221218.3 °C around this hour.');
    assert.equal(renderTemplate('{{quantity}} / {{usual}}', alertFields({ ...freezer, unit: '' })), '\u22124 / \u221218.3');
  });

  it('gives energy templates {{quantity}} and {{usual}} in kWh', () => {
    assert.equal(renderTemplate('{{quantity}}, usually {{usual}}', alertFields(subject)), '3.1 kWh, usually 0.3 kWh');
  });

  it('leaves unknown placeholders visible', () => {
    assert.equal(renderTemplate('{{value}} {{nope}}', alertFields(subject)), '3.1 {{nope}}');
  });
});

describe('alert plan', () => {
  it('sends companion-app data: tag, group, urgency and the two action buttons', () => {
    const [call] = pushCalls(subject, { services: ['notify.mobile_app_phone'], urgent: true, actionPrefix: 'n1' });
    assert.ok(call && call.kind === 'service');
    assert.equal(call.domain, 'notify');
    assert.equal(call.service, 'mobile_app_phone');
    const data = call.data.data as Record<string, unknown>;
    assert.equal(data.tag, tagFor('sensor.home_energy'));
    assert.equal(data.priority, 'high');
    assert.equal(data.ttl, 0);
    assert.deepEqual(data.push, { 'interruption-level': 'time-sensitive' });
    assert.deepEqual((data.actions as Array<{ action: string }>).map((a) => a.action), [actionId('n1', 'expected', 'sensor.home_energy', ts), actionId('n1', 'investigate', 'sensor.home_energy', ts)]);
  });

  it('names the sensor and event after the entity', () => {
    assert.equal(scoreSensorId('sensor.home_energy'), 'sensor.stream_smarts_sensor_home_energy_anomaly_score');
    const sensor = sensorCall(subject, ts);
    assert.ok(sensor.kind === 'state');
    assert.equal(sensor.attributes.state_class, 'measurement');
    const event = eventCall(subject);
    assert.ok(event.kind === 'event');
    assert.deepEqual(Object.keys(event.data).sort(), ['entity_id', 'expected', 'friendly_name', 'score', 'ts', 'unit', 'value']);
  });

  it('clears with the same tag', () => {
    const [call] = clearCalls('sensor.home_energy', { services: ['mobile_app_phone'], actionPrefix: 'n1' });
    assert.ok(call && call.kind === 'service');
    assert.deepEqual(call.data, { message: 'clear_notification', data: { tag: tagFor('sensor.home_energy') } });
    assert.deepEqual(splitService('mobile_app_phone'), { domain: 'notify', service: 'mobile_app_phone' });
  });
});

describe('feedback', () => {
  it("reads this node's actions and ignores others", () => {
    const action = actionId('n1', 'investigate', 'sensor.home_energy', ts);
    assert.deepEqual(feedbackFromAction({ data: { action } }, 'n1'), { feedback: 'investigate', entity_id: 'sensor.home_energy', ts });
    assert.equal(feedbackFromAction({ data: { action } }, 'n2'), undefined);
    assert.equal(feedbackFromAction({ data: { action: 'OTHER' } }, 'n1'), undefined);
  });
});

describe('policy', () => {
  it('holds back a repeat within the cooldown unless the score is higher', () => {
    const policy = new AlertPolicy({ cooldownMs: 3_600_000 });
    assert.deepEqual(policy.decide('e', 2, 0), { push: true });
    policy.recordSent('e', 2, 0);
    assert.deepEqual(policy.decide('e', 1.5, 60_000), { push: false, reason: 'cooldown' });
    assert.deepEqual(policy.decide('e', 3, 60_000), { push: true });
    assert.deepEqual(policy.decide('e', 1.5, 3_600_001), { push: true });
  });

  it('knows quiet hours across midnight', () => {
    const at = (h: number, m = 0) => new Date(2026, 0, 5, h, m).getTime();
    assert.equal(inQuietHours(at(23), '22:00', '07:00'), true);
    assert.equal(inQuietHours(at(6, 59), '22:00', '07:00'), true);
    assert.equal(inQuietHours(at(7), '22:00', '07:00'), false);
    assert.equal(inQuietHours(at(13), '12:00', '14:00'), true);
    assert.equal(inQuietHours(at(13), '', ''), false);
  });
});

describe('bounded queue', () => {
  it('drops the oldest and reports it', () => {
    const dropped: number[] = [];
    const queue = new BoundedQueue<number>(2, (item) => dropped.push(item));
    queue.push(1);
    queue.push(2);
    queue.push(3);
    assert.deepEqual(dropped, [1]);
    assert.deepEqual(queue.drain(), [2, 3]);
  });
});
