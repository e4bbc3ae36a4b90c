import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyNotifier, type NotifierOptions, type NotifierSink } from '../../../../core/ha/notify/notifier';
import { offlineMessage, onlineMessage, type MeterStatus, type OfflineEpisode } from '../../../../core/ha/offline-message';
import { ReadingError } from '../../../../core/reading';

/** In-memory sink recording every call in full (unit level; delivery to the real HA is in test/nodes/smarts-ha-notify.test.ts). */
class RecordingSink implements NotifierSink {
  connected = true;
  calls: Array<{ call: string; data: Record<string, unknown> }> = [];

  async callService(domain: string, service: string, data: Record<string, unknown> = {}): Promise<unknown> {
    this.calls.push({ call: `${domain}.${service}`, data });
    return undefined;
  }
  async fireEvent(eventType: string, data: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ call: `event:${eventType}`, data });
    return undefined;
  }
  async setState(entityId: string, state: string): Promise<void> {
    this.calls.push({ call: `state:${entityId}`, data: { state } });
  }
  async subscribe(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  onReady(): () => void {
    return () => undefined;
  }
  names(): string[] {
    return this.calls.map((entry) => entry.call);
  }
}

const minute = 60_000;
const episode: OfflineEpisode = { entityId: 'sensor.home_energy', kind: 'energy', state: 'unavailable', cause: 'unavailable', since: Date.parse('2026-11-27T02:10:00Z') };
const offline = (): MeterStatus => offlineMessage(episode, episode.since + 20 * minute).payload;
const online = (): MeterStatus => onlineMessage(episode, '1201.5', episode.since + 130 * minute).payload;

function notifier(sink: RecordingSink, extra: Partial<NotifierOptions> = {}): AnomalyNotifier {
  return new AnomalyNotifier({ sink, services: ['notify.phone'], cooldownMs: 60 * minute, actionPrefix: 'n', urgent: true, ...extra });
}

function clock(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

describe('AnomalyNotifier: meter offline / online', () => {
  it('offline: a plain (never urgent) push with its own tag, a persistent notification and the event with kind meter_offline', async () => {
    const sink = new RecordingSink();
    const outcome = await notifier(sink).handleMeterStatus('meter_offline', offline());
    assert.deepEqual(outcome, { entity_id: 'sensor.home_energy', anomaly: false, kind: 'meter_offline', push: { push: true }, queued: false, calls: 3 });
    assert.deepEqual(sink.names(), ['notify.phone', 'persistent_notification.create', 'event:stream_smarts_anomaly']);
    const push = sink.calls[0]?.data;
    assert.equal(push?.title, 'Energy meter offline');
    assert.equal(push?.message, offline().explanation);
    assert.deepEqual(push?.data, { tag: 'stream_smarts_offline_sensor_home_energy', group: 'stream_smarts' }, 'no priority, no buttons, although the node is set to urgent');
    assert.equal(sink.calls[1]?.data.notification_id, 'stream_smarts_offline_sensor_home_energy');
    const event = sink.calls[2]?.data;
    assert.equal(event?.kind, 'meter_offline');
    assert.equal(event?.entity_id, 'sensor.home_energy');
    assert.equal(event?.since, '2026-11-27T02:10:00.000Z');
    assert.equal(event?.duration_s, 20 * 60);
  });

  it('back online replaces the offline push (same tag) and dismisses the persistent notification', async () => {
    const sink = new RecordingSink();
    const subject = notifier(sink);
    await subject.handleMeterStatus('meter_offline', offline());
    sink.calls = [];
    const outcome = await subject.handleMeterStatus('meter_online', online());
    assert.deepEqual(outcome.push, { push: true });
    assert.deepEqual(sink.names(), ['notify.phone', 'persistent_notification.dismiss', 'event:stream_smarts_anomaly']);
    assert.equal(sink.calls[0]?.data.title, 'Energy meter back online');
    assert.match(String(sink.calls[0]?.data.message), /is back online after 2 h 10 min/);
    assert.deepEqual(sink.calls[0]?.data.data, { tag: 'stream_smarts_offline_sensor_home_energy', group: 'stream_smarts' });
    assert.equal(sink.calls[2]?.data.kind, 'meter_online');
    assert.equal(sink.calls[2]?.data.until, online().until);
  });

  it('quiet hours hold back the offline push; then its end is not pushed either, but event and persistent notification happen', async () => {
    const sink = new RecordingSink();
    const now = Date.now();
    const subject = notifier(sink, { quietStart: clock(now - 3_600_000), quietEnd: clock(now + 3_600_000) });
    const held = await subject.handleMeterStatus('meter_offline', offline());
    assert.deepEqual(held.push, { push: false, reason: 'quiet-hours' });
    const back = await subject.handleMeterStatus('meter_online', online());
    assert.deepEqual(back.push, { push: false, reason: 'offline-not-pushed' });
    assert.deepEqual(sink.names(), ['persistent_notification.create', 'event:stream_smarts_anomaly', 'persistent_notification.dismiss', 'event:stream_smarts_anomaly']);
  });

  it('a meter back during quiet hours clears the offline push silently instead of a new one', async () => {
    const sink = new RecordingSink();
    let now = Date.parse('2026-11-27T12:00:00');
    const subject = notifier(sink, { quietStart: '22:00', quietEnd: '07:00', now: () => now, persistent: false, event: false });
    await subject.handleMeterStatus('meter_offline', offline());
    now = Date.parse('2026-11-27T23:00:00');
    const outcome = await subject.handleMeterStatus('meter_online', online());
    assert.deepEqual(outcome.push, { push: false, reason: 'quiet-hours' });
    assert.deepEqual(sink.calls.map((entry) => [entry.call, entry.data.message]), [
      ['notify.phone', offline().explanation],
      ['notify.phone', 'clear_notification'],
    ]);
  });

  it('a flapping meter is pushed once per cooldown, and its cooldown never holds back an anomaly alert', async () => {
    const sink = new RecordingSink();
    const subject = notifier(sink, { persistent: false, event: false, sensor: false });
    await subject.handleMeterStatus('meter_offline', offline());
    await subject.handleMeterStatus('meter_online', online());
    const again = await subject.handleMeterStatus('meter_offline', offline());
    assert.deepEqual(again.push, { push: false, reason: 'cooldown' });
    const anomaly = await subject.handle({ entity_id: 'sensor.home_energy', ts: Date.now(), value: 3, unit: 'kWh', kind: 'energy', hour: 2, score: 3, expected: 0.3 });
    assert.deepEqual(anomaly.push, { push: true });
    assert.deepEqual(sink.calls.map((entry) => entry.data.title), ['Energy meter offline', 'Energy meter back online', 'Stream Smarts: sensor.home_energy']);
  });

  it('an offline notice still queued (HA unreachable) when the meter is back is dropped: no offline, no back-online push, the event still fires', async () => {
    const sink = new RecordingSink();
    const subject = notifier(sink);
    sink.connected = false;
    const held = await subject.handleMeterStatus('meter_offline', offline());
    assert.equal(held.queued, true);
    const back = await subject.handleMeterStatus('meter_online', online());
    assert.deepEqual(back.push, { push: false, reason: 'offline-never-shown' });
    sink.connected = true;
    await subject.flush();
    assert.equal(subject.queued, 0);
    assert.deepEqual(sink.names(), ['persistent_notification.dismiss', 'event:stream_smarts_anomaly']);
    assert.equal(sink.calls[1]?.data.kind, 'meter_online');
    // a later outage is pushed as usual: the dropped notice left no cooldown behind
    const later = await subject.handleMeterStatus('meter_offline', { ...offline(), since: '2026-11-27T05:00:00.000Z' });
    assert.deepEqual(later.push, { push: true });
    assert.equal(sink.names()[2], 'notify.phone');
  });

  it('a payload that is not a meter status is refused with a ReadingError and nothing is sent', async () => {
    const sink = new RecordingSink();
    await assert.rejects(notifier(sink).handleMeterStatus('meter_offline', { entity_id: 'sensor.home_energy' }), (error: unknown) => error instanceof ReadingError && /'since'/.test(error.message));
    assert.deepEqual(sink.calls, []);
  });
});
