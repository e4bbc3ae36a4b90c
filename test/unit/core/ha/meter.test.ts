import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionStatus } from '../../../../core/ha/client';
import { EntityMeter, type MeterSource } from '../../../../core/ha/meter';
import { simulatedClock } from '../../../../core/ha/meter-clock';
import { hourOfDay } from '../../../../core/units';
import type { Reading } from '../../../../core/reading';

/**
 * An in-memory stand-in for Home Assistant's websocket (unit level only; the real HA is in
 * test/integration/ha/): history answers from a list, statistics are empty.
 */
class FakeSource implements MeterSource {
  connected = false;
  history: Array<{ s: string; lu: number; a?: Record<string, unknown> }> = [];
  private statusListeners: Array<(status: ConnectionStatus) => void> = [];
  private readyListeners: Array<() => void> = [];
  private callback: ((event: unknown) => void) | undefined;

  async command<T>(message: { type: string; [key: string]: unknown }): Promise<T> {
    if (message.type === 'get_config') return { latitude: 0, longitude: 0 } as T;
    if (message.type === 'recorder/statistics_during_period') return {} as T;
    if (message.type === 'history/history_during_period') {
      const ids = message.entity_ids as string[];
      const from = Date.parse(String(message.start_time)) / 1000;
      const to = Date.parse(String(message.end_time)) / 1000;
      const inForce = this.history.filter((row) => row.lu <= from).pop();
      const rows = this.history.filter((row) => row.lu > from && row.lu <= to);
      return { [ids[0] as string]: [...(inForce ? [{ ...inForce, lu: from }] : []), ...rows] } as T;
    }
    throw new Error(`unexpected ${message.type}`);
  }

  async subscribe(_message: object, callback: (event: unknown) => void): Promise<() => Promise<void>> {
    this.callback = callback;
    return async () => undefined;
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.push(listener);
    return () => undefined;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.push(listener);
    return () => undefined;
  }

  connect(): void {
    this.connected = true;
    for (const listener of this.statusListeners) listener({ state: 'connected', haVersion: 'test' });
    for (const listener of this.readyListeners) listener();
  }

  disconnect(): void {
    this.connected = false;
    for (const listener of this.statusListeners) listener({ state: 'disconnected', reason: 'test' });
  }

  /** A state change: recorded in history and pushed live. */
  state(entityId: string, value: string, lu: number, first = false): void {
    const attributes = { unit_of_measurement: 'kWh', device_class: 'energy' };
    this.history.push({ s: value, lu, ...(first ? { a: attributes } : {}) });
    if (first) this.callback?.({ a: { [entityId]: { s: value, a: attributes, lc: lu } } });
    else this.callback?.({ c: { [entityId]: { '+': { s: value, lu } } } });
  }
}

describe('EntityMeter (in-memory source)', () => {
  it('after a disconnect, rebuilds the missed intervals from history once, marked backfilled, without double counting', async () => {
    const source = new FakeSource();
    const hour = 3_600_000;
    const t0 = new Date(2026, 0, 5, 10, 0, 0).getTime();
    let now = t0 + 5 * 60_000;
    const ledger = new Map<string, number>();
    const emitted: Reading[] = [];
    const meter = new EntityMeter({
      entities: ['sensor.e'],
      intervalMs: hour,
      emitRaw: false,
      emitIntervals: true,
      source,
      ledger: { get: (id) => ledger.get(id), set: (id, start) => ledger.set(id, start) },
      emit: (reading) => emitted.push(reading),
      now: () => now,
      closeGraceMs: 0,
      stateWaitMs: 100,
    });
    source.history.push({ s: '100', lu: (t0 - 60_000) / 1000, a: { unit_of_measurement: 'kWh', device_class: 'energy' } });
    await meter.start();
    source.state('sensor.e', '100', (t0 - 60_000) / 1000, true);
    source.connect();
    await meter.settled();
    source.state('sensor.e', '101', (t0 + 10 * 60_000) / 1000);
    source.disconnect();
    // While disconnected: two more hours of consumption that the meter only learns from history.
    source.history.push({ s: '103', lu: (t0 + hour + 60_000) / 1000 });
    source.history.push({ s: '106', lu: (t0 + 2 * hour + 60_000) / 1000 });
    now = t0 + 3 * hour + 5 * 60_000;
    source.connect();
    await meter.settled();
    assert.deepEqual(
      emitted.map((reading) => [(reading.ts - t0) / hour, reading.value, reading.backfilled ?? false]),
      [
        [0, 1, true],
        [1, 2, true],
        [2, 3, true],
      ],
    );
    // A reconnect with nothing new emits nothing again.
    source.disconnect();
    source.connect();
    await meter.settled();
    assert.equal(emitted.length, 3);
    assert.equal(ledger.get('sensor.e'), t0 + 2 * hour);
    await meter.stop();
  });

  it('on a simulated clock, cuts simulated hours from states Home Assistant stamps with the wall clock', async () => {
    const source = new FakeSource();
    const hour = 3_600_000;
    const simulatedStart = new Date(2026, 0, 5, 10, 0, 0).getTime();
    // A simulated hour per 400 ms of wall time, from 200 ms after the meter starts.
    const wallStart = Date.now() + 200;
    const clock = simulatedClock({ wallStart, simulatedStart, speed: hour / 400 });
    const emitted: Reading[] = [];
    const meter = new EntityMeter({
      entities: ['sensor.e'],
      intervalMs: hour,
      emitRaw: false,
      emitIntervals: true,
      source,
      clock,
      ledger: { get: () => undefined, set: () => undefined },
      emit: (reading) => emitted.push(reading),
      closeGraceMs: 20,
      stateWaitMs: 100,
    });
    const wallSeconds = () => Date.now() / 1000;
    source.history.push({ s: '100', lu: wallSeconds() - 60, a: { unit_of_measurement: 'kWh', device_class: 'energy' } });
    await meter.start();
    source.state('sensor.e', '100', wallSeconds() - 60, true);
    source.connect();
    await meter.settled();
    const at = (wallMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, wallMs - Date.now())));
    // Half way through simulated hours 0 and 1, as npm start's simulated home writes them.
    await at(wallStart + 200);
    source.state('sensor.e', '101.5', wallSeconds());
    await at(wallStart + 600);
    source.state('sensor.e', '103.5', wallSeconds());
    const deadline = Date.now() + 10_000;
    while (emitted.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await meter.stop();
    assert.deepEqual(
      emitted.slice(0, 2).map((reading) => [(reading.ts - simulatedStart) / hour, reading.value, reading.hour, reading.backfilled ?? false]),
      [
        [0, 1.5, hourOfDay(simulatedStart), false],
        [1, 2, hourOfDay(simulatedStart + hour), false],
      ],
    );
  });
});
