import WebSocket from 'ws';

type Message = Record<string, unknown> & { id?: number; type: string };
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * A minimal Home Assistant websocket client for tests: authenticate, send commands, subscribe
 * to events. Deliberately independent of the product's core/ha client, so a test of the product
 * does not use the product to check itself.
 */
export class HaSocket {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<number, (event: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(JSON.parse(String(data)) as Message));
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('Home Assistant socket closed'));
      this.pending.clear();
    });
  }

  static open(url: string, token: string): Promise<HaSocket> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/websocket`);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.on('message', function onAuth(data) {
        const message = JSON.parse(String(data)) as Message;
        if (message.type === 'auth_required') socket.send(JSON.stringify({ type: 'auth', access_token: token }));
        else if (message.type === 'auth_ok') {
          socket.off('message', onAuth);
          resolve(new HaSocket(socket));
        } else if (message.type === 'auth_invalid') reject(new Error(`Home Assistant refused the token: ${String(message.message)}`));
      });
    });
  }

  private receive(message: Message): void {
    if (message.id === undefined) return;
    if (message.type === 'event') {
      this.listeners.get(message.id)?.(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending || message.type !== 'result') return;
    this.pending.delete(message.id);
    if (message.success) pending.resolve(message.result);
    else pending.reject(new Error(`${String((message.error as { code?: string })?.code)}: ${String((message.error as { message?: string })?.message)}`));
  }

  command<T = unknown>(message: Message): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ ...message, id }));
    });
  }

  callService(domain: string, service: string, serviceData: Record<string, unknown> = {}, target?: Record<string, unknown>): Promise<unknown> {
    return this.command({ type: 'call_service', domain, service, service_data: serviceData, ...(target ? { target } : {}) });
  }

  async subscribeEvents(eventType: string, listener: (event: { event_type: string; data: Record<string, unknown>; time_fired: string }) => void): Promise<() => Promise<void>> {
    const id = this.nextId;
    this.listeners.set(id, listener as (event: unknown) => void);
    await this.command({ type: 'subscribe_events', event_type: eventType });
    return async () => {
      this.listeners.delete(id);
      await this.command({ type: 'unsubscribe_events', subscription: id }).catch(() => undefined);
    };
  }

  /** A subscription command (subscribe_events, mobile_app/push_notification_channel, ...): its events go to `listener`. */
  async subscribe(message: Message, listener: (event: Record<string, unknown>) => void): Promise<void> {
    this.listeners.set(this.nextId, listener as (event: unknown) => void);
    await this.command(message);
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function runId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
