import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { stackDir, stackInfo } from '../../support/stack';

// Proof that the stack's Home Assistant is real, using nothing but its websocket API
// (https://developers.home-assistant.io/docs/api/websocket) and the project's token file.

type HaMessage = { id?: number; type: string; success?: boolean; result?: unknown; event?: StateChangedEvent; error?: { message: string } };
type HaState = { entity_id: string; state: string; attributes: Record<string, unknown> };
type StateChangedEvent = { event_type: string; data: { entity_id: string; new_state: HaState | null } };

/** A minimal websocket session: authenticates, then sends commands with ids and routes replies. */
class HaSession {
  private nextId = 1;
  private readonly pending = new Map<number, (message: HaMessage) => void>();
  private readonly events: StateChangedEvent[] = [];
  private readonly eventWaiters: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HaMessage;
      if (message.type === 'event' && message.event) {
        this.events.push(message.event);
        this.eventWaiters.splice(0).forEach((wake) => wake());
      } else if (message.id !== undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
  }

  /** Resolves with the session after auth_ok; rejects with HA's auth reply otherwise. */
  static open(url: string, token: string): Promise<HaSession> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/websocket`);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      const onAuth = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as HaMessage;
        if (message.type === 'auth_required') {
          ws.send(JSON.stringify({ type: 'auth', access_token: token }));
          return;
        }
        ws.off('message', onAuth);
        if (message.type === 'auth_ok') resolve(new HaSession(ws));
        else {
          ws.close();
          reject(new Error(`websocket auth: ${message.type}`));
        }
      };
      ws.on('message', onAuth);
    });
  }

  command<T>(payload: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (message) => (message.success ? resolve(message.result as T) : reject(new Error(`${String(payload.type)}: ${message.error?.message}`))));
      this.ws.send(JSON.stringify({ id, ...payload }));
    });
  }

  async waitForEvent(match: (event: StateChangedEvent) => boolean, timeoutMs: number): Promise<StateChangedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.eventWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

function entities(): { energy: string; energyInput: string; power: string; powerInput: string } {
  return stackInfo().ha.entities ?? { energy: 'sensor.home_energy', energyInput: 'input_number.home_energy_meter', power: 'sensor.home_power', powerInput: 'input_number.home_power_meter' };
}

describe('stack: Home Assistant', () => {
  it('keeps the token in <stack dir>/ha-token (mode 600) and refuses a wrong one', { timeout: 30_000 }, async () => {
    const { url, token } = stackInfo().ha;
    const file = join(stackDir(), 'ha-token');
    assert.equal(readFileSync(file, 'utf8').trim(), token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(HaSession.open(url, `${token}x`), /auth_invalid/);
  });

  it('authenticates with the token, sets sensor.home_energy and sees the state_changed event and the new state', { timeout: 30_000 }, async () => {
    const { url, token } = stackInfo().ha;
    const { energy, energyInput } = entities();
    const session = await HaSession.open(url, token);
    try {
      await session.command({ type: 'subscribe_events', event_type: 'state_changed' });
      const before = (await session.command<HaState[]>({ type: 'get_states' })).find((s) => s.entity_id === energy);
      assert.ok(before, `${energy} exists`);
      assert.equal(before.attributes.device_class, 'energy');
      assert.equal(before.attributes.state_class, 'total_increasing');
      assert.equal(before.attributes.unit_of_measurement, 'kWh');

      // A meter only goes up: the new reading is the old one plus a random step.
      const value = Math.round((Number(before.state) + 0.001 + Math.random()) * 1000) / 1000;
      await session.command({ type: 'call_service', domain: 'input_number', service: 'set_value', service_data: { value }, target: { entity_id: energyInput } });

      const event = await session.waitForEvent((e) => e.data.entity_id === energy && Number(e.data.new_state?.state) === value, 10_000);
      assert.equal(event.data.new_state?.attributes.unit_of_measurement, 'kWh');
      const after = (await session.command<HaState[]>({ type: 'get_states' })).find((s) => s.entity_id === energy);
      assert.equal(Number(after?.state), value);
    } finally {
      session.close();
    }
  });

  it('has a power sensor in W that follows its input', { timeout: 30_000 }, async () => {
    const { url, token } = stackInfo().ha;
    const { power, powerInput } = entities();
    const session = await HaSession.open(url, token);
    try {
      await session.command({ type: 'subscribe_events', event_type: 'state_changed' });
      const value = Math.round(Math.random() * 30_000) / 10 + 1;
      await session.command({ type: 'call_service', domain: 'input_number', service: 'set_value', service_data: { value }, target: { entity_id: powerInput } });
      const event = await session.waitForEvent((e) => e.data.entity_id === power && Number(e.data.new_state?.state) === value, 10_000);
      assert.equal(event.data.new_state?.attributes.unit_of_measurement, 'W');
      assert.equal(event.data.new_state?.attributes.device_class, 'power');
      assert.equal(event.data.new_state?.attributes.state_class, 'measurement');
    } finally {
      session.close();
    }
  });

  it('records the release that runs and serves what its frontend needs, with no module missing in its log', { timeout: 30_000 }, async () => {
    const { url, token, version } = stackInfo().ha;
    assert.ok(version, 'stack.json names the Home Assistant release (written by scripts/stack.sh up)');
    const session = await HaSession.open(url, token);
    try {
      const config = await session.command<{ version: string; state: string }>({ type: 'get_config' });
      assert.equal(config.version, version);
      assert.equal(config.state, 'RUNNING');
      const panels = await session.command<Record<string, unknown>>({ type: 'get_panels' });
      for (const panel of ['lovelace', 'history', 'logbook', 'config']) assert.ok(panel in panels, `the ${panel} panel is served`);
      const services = await session.command<Record<string, Record<string, unknown>>>({ type: 'get_services' });
      for (const [domain, service] of [['notify', 'stack_file'], ['persistent_notification', 'create'], ['input_number', 'set_value'], ['system_log', 'write'], ['recorder', 'purge']]) {
        assert.ok(services[domain as string]?.[service as string], `${domain}.${service} is offered`);
      }
    } finally {
      session.close();
    }
    assert.doesNotMatch(readFileSync(join(stackDir(), 'logs', 'ha.log'), 'utf8'), /No module named|Unable to install package/);
  });

  it('writes a notify call into the notify file', { timeout: 30_000 }, async () => {
    const { url, token, notifyFile, notifyService } = stackInfo().ha;
    const [domain, service] = (notifyService ?? 'notify.stack_file').split('.');
    const message = `stack proof ${randomUUID()}`;
    const session = await HaSession.open(url, token);
    try {
      await session.command({ type: 'call_service', domain, service, service_data: { message, title: 'Stream Smarts' } });
    } finally {
      session.close();
    }
    const deadline = Date.now() + 10_000;
    while (!readFileSync(notifyFile, 'utf8').split('\n').includes(message)) {
      assert.ok(Date.now() < deadline, `${message} never arrived in ${notifyFile}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
