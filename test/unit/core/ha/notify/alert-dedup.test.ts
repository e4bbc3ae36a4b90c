import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertDedup } from '../../../../../core/ha/notify/alert-dedup';
import { AnomalyNotifier, type NotifierSink } from '../../../../../core/ha/notify/notifier';

describe('AlertDedup', () => {
  it('says first time once per entity and interval start', () => {
    const dedup = new AlertDedup();
    assert.equal(dedup.firstTime('sensor.a', 3_600_000), true);
    assert.equal(dedup.firstTime('sensor.a', 3_600_000), false);
    assert.equal(dedup.firstTime('sensor.a', 7_200_000), true, 'another interval');
    assert.equal(dedup.firstTime('sensor.b', 3_600_000), true, 'another entity');
  });

  it('is bounded: beyond its capacity the oldest interval is forgotten first', () => {
    const dedup = new AlertDedup(2);
    dedup.firstTime('e', 1);
    dedup.firstTime('e', 2);
    dedup.firstTime('e', 3);
    assert.equal(dedup.size, 2);
    assert.equal(dedup.firstTime('e', 3), false);
    assert.equal(dedup.firstTime('e', 2), false);
    assert.equal(dedup.firstTime('e', 1), true, 'forgotten');
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new AlertDedup(0), /positive integer/);
  });
});

/** Records the calls the notifier makes (unit level; the real HA is in the integration tests). */
class RecordingSink implements NotifierSink {
  connected = true;
  calls: string[] = [];
  async callService(domain: string, service: string): Promise<unknown> {
    this.calls.push(`${domain}.${service}`);
    return undefined;
  }
  async fireEvent(eventType: string): Promise<unknown> {
    this.calls.push(`event:${eventType}`);
    return undefined;
  }
  async setState(entityId: string): Promise<void> {
    this.calls.push(`state:${entityId}`);
  }
  async subscribe(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  onReady(): () => void {
    return () => undefined;
  }
}

describe('AnomalyNotifier with a redelivered anomaly', () => {
  const anomaly = (ts: number) => ({ entity_id: 'sensor.home', ts, value: 3, unit: 'kWh', kind: 'energy', hour: 2, score: 3, expected: 0.3, anomaly: true });

  it('pushes an interval\'s anomaly once, even with no cooldown; a new interval pushes again', async () => {
    const sink = new RecordingSink();
    const notifier = new AnomalyNotifier({ sink, services: ['notify.phone'], cooldownMs: 0, actionPrefix: 'n', sensor: false });
    const first = await notifier.handle(anomaly(3_600_000));
    const again = await notifier.handle(anomaly(3_600_000));
    const next = await notifier.handle(anomaly(7_200_000));
    assert.deepEqual(first.push, { push: true });
    assert.deepEqual(again.push, { push: false, reason: 'duplicate' });
    assert.equal(again.calls, 0, 'no second push, event or persistent notification');
    assert.deepEqual(next.push, { push: true });
    assert.equal(sink.calls.filter((call) => call === 'notify.phone').length, 2);
    assert.equal(sink.calls.filter((call) => call.startsWith('event:')).length, 2);
  });
});
