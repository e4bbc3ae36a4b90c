import type { ConnectionStatus } from '../../../../../core/ha/client';
import type { MeterSource } from '../../../../../core/ha/meter';

interface HistoryRow {
  s: string;
  lu: number;
  a: Record<string, unknown>;
}

/**
 * An in-memory stand-in for Home Assistant's websocket, for unit tests of the meter only (the real
 * HA is in test/integration/ha/): states pushed live and kept as history, statistics empty.
 */
export class FakeMeterSource implements MeterSource {
  connected = false;
  readonly history = new Map<string, HistoryRow[]>();
  private statusListeners: Array<(status: ConnectionStatus) => void> = [];
  private readyListeners: Array<() => void> = [];
  private callback: ((event: unknown) => void) | undefined;
  private readonly announced = new Set<string>();

  async command<T>(message: { type: string; [key: string]: unknown }): Promise<T> {
    if (message.type === 'get_config') return { latitude: 0, longitude: 0 } as T;
    if (message.type === 'recorder/statistics_during_period') return {} as T;
    if (message.type === 'history/history_during_period') {
      const id = (message.entity_ids as string[])[0] as string;
      const from = Date.parse(String(message.start_time)) / 1000;
      const to = Date.parse(String(message.end_time)) / 1000;
      const rows = this.history.get(id) ?? [];
      const inForce = rows.filter((row) => row.lu <= from).pop();
      return { [id]: [...(inForce ? [{ ...inForce, lu: from }] : []), ...rows.filter((row) => row.lu > from && row.lu <= to)] } as T;
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

  /** A state change at `tsMs` with its attributes: recorded in history and pushed live. */
  state(entityId: string, value: string, tsMs: number, attributes: Record<string, unknown>): void {
    const lu = tsMs / 1000;
    const rows = this.history.get(entityId) ?? [];
    rows.push({ s: value, lu, a: attributes });
    this.history.set(entityId, rows);
    if (!this.announced.has(entityId)) {
      this.announced.add(entityId);
      this.callback?.({ a: { [entityId]: { s: value, a: attributes, lc: lu } } });
    } else this.callback?.({ c: { [entityId]: { '+': { s: value, a: attributes, lu } } } });
  }
}
