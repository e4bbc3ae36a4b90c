import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaCommandError, HaConnectionError } from '../../../../core/ha/errors';
import { AnomalyNotifier, type NotifierSink } from '../../../../core/ha/notify/notifier';

/** In-memory sink (unit level only; delivery to the real HA is in test/integration/ha/notify.test.ts). */
class FakeSink implements NotifierSink {
  connected = true;
  calls: string[] = [];
  attributes: Array<Record<string, unknown>> = [];
  data: Array<Record<string, unknown>> = [];
  failStates = 0;
  failService: string | undefined;
  private ready: Array<() => void> = [];

  async callService(domain: string, service: string, data: object = {}): Promise<unknown> {
    if (`${domain}.${service}` === this.failService) throw new HaCommandError('Service not found', 'not_found');
    this.calls.push(`${domain}.${service}`);
    this.data.push(data as Record<string, unknown>);
    return undefined;
  }
  async fireEvent(eventType: string): Promise<unknown> {
    this.calls.push(`event:${eventType}`);
    return undefined;
  }
  async setState(entityId: string, state: string, attributes: object = {}): Promise<void> {
    if (this.failStates > 0) {
      this.failStates -= 1;
      throw new HaConnectionError('REST timed out');
    }
    this.calls.push(`state:${entityId}=${state}`);
    this.attributes.push(attributes as Record<string, unknown>);
  }
  async subscribe(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  onReady(listener: () => void): () => void {
    this.ready.push(listener);
    return () => undefined;
  }
  reconnect(): void {
    this.connected = true;
    for (const listener of this.ready) listener();
  }
}

const reading = (score: number) => ({ entity_id: 'sensor.e', ts: Date.now(), value: 3, unit: 'kWh', kind: 'energy', hour: 2, score, expected: 0.3 });

describe('AnomalyNotifier', () => {
  it('charts every scored reading on the score sensor, normal ones throttled, named as in HA', async () => {
    const sink = new FakeSink();
    const notifier = new AnomalyNotifier({ sink, services: ['notify.phone'], cooldownMs: 0, actionPrefix: 'n', event: false, sensorIntervalMs: 60_000 });
    const named = (score: number) => ({ ...reading(score), friendly_name: 'Home energy' });
    await notifier.handle(named(0.4));
    await notifier.handle(named(0.5));
    await notifier.handle(named(2.5));
    await notifier.handle(named(0.6));
    const states = sink.calls.filter((call) => call.startsWith('state:'));
    assert.deepEqual(states, ['state:sensor.stream_smarts_sensor_e_anomaly_score=0.4', 'state:sensor.stream_smarts_sensor_e_anomaly_score=2.5', 'state:sensor.stream_smarts_sensor_e_anomaly_score=0.6']);
    const anomalous = sink.attributes[1] as Record<string, unknown>;
    assert.equal(anomalous.friendly_name, 'Home energy anomaly score');
    assert.equal(anomalous.anomaly, true);
    assert.equal(anomalous.threshold, 1);
    assert.equal(anomalous.expected, 0.3);
    assert.equal(anomalous.state_class, 'measurement');
    const persistent = sink.data.find((data) => 'notification_id' in data) as { title?: string };
    assert.equal(persistent.title, 'Stream Smarts: Home energy');
    await notifier.stop();
  });

  it('retries a call that failed for want of HA while the websocket still looked connected', async () => {
    const sink = new FakeSink();
    sink.failStates = 1;
    const notifier = new AnomalyNotifier({ sink, services: ['notify.phone'], cooldownMs: 0, actionPrefix: 'n', retryMs: 20 });
    await notifier.start();
    const outcome = await notifier.handle(reading(3));
    assert.equal(outcome.queued, true);
    for (let i = 0; i < 50 && notifier.queued > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(notifier.queued, 0);
    assert.deepEqual(sink.calls, ['notify.phone', 'persistent_notification.create', 'event:stream_smarts_anomaly', 'state:sensor.stream_smarts_sensor_e_anomaly_score=3']);
    await notifier.stop();
  });

  it('queues while disconnected and sends in order on reconnect', async () => {
    const sink = new FakeSink();
    sink.connected = false;
    const notifier = new AnomalyNotifier({ sink, services: ['notify.phone'], cooldownMs: 3_600_000, actionPrefix: 'n', persistent: false, event: false, sensor: false });
    await notifier.start();
    await notifier.handle(reading(2));
    await notifier.handle({ ...reading(5), entity_id: 'sensor.f' });
    assert.equal(notifier.queued, 2);
    sink.reconnect();
    await notifier.flush();
    assert.deepEqual(sink.calls, ['notify.phone', 'notify.phone']);
    // The two alerts differ only in their meter: the tags show they were sent in the order queued.
    const tags = sink.data.map((call) => (call.data as { tag?: string } | undefined)?.tag);
    assert.equal(tags.length, 2);
    assert.equal(tags[0], 'stream_smarts_sensor_e');
    assert.equal(tags[1], 'stream_smarts_sensor_f');
    await notifier.stop();
  });

  it('rejects with the typed error when HA refuses a call', async () => {
    const sink = new FakeSink();
    sink.failService = 'notify.nope';
    const notifier = new AnomalyNotifier({ sink, services: ['notify.nope'], cooldownMs: 0, actionPrefix: 'n' });
    await assert.rejects(notifier.handle(reading(3)), (error: unknown) => error instanceof HaCommandError && !error.retriable);
    assert.equal(notifier.queued, 0);
  });
});
