import { Connection, createConnection, ERR_INVALID_AUTH, type ConnectionOptions, type MessageBase } from 'home-assistant-js-websocket';
import type WebSocket from 'ws';
import { backoffDelay, type BackoffOptions } from '../retry';
import { describeError, HaAuthError, HaCommandError, HaConnectionError } from './errors';
import { startHeartbeat, type Heartbeat } from './heartbeat';
import type { HaServerConfig } from './server-config';
import { restRequest, type RestResponse } from './rest';
import { openAuthenticatedSocket } from './socket';

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number; reason?: string }
  | { state: 'connected'; haVersion: string }
  | { state: 'disconnected'; reason: string }
  | { state: 'auth-failed'; reason: string }
  | { state: 'stopped' };

export interface HaClientOptions {
  config: HaServerConfig;
  /** How often a ping is sent while connected. */
  heartbeatIntervalMs?: number;
  /** No pong within this → the socket is half-open: drop it and reconnect. */
  heartbeatTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Delays between attempts of the first connection (later reconnects use the library's 0-5 s schedule). */
  initialRetry?: BackoffOptions;
  rejectUnauthorized?: boolean;
}

/** 1 s, 2 s, 4 s ... up to 30 s, with jitter. */
const FIRST_CONNECT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

type Listener<T> = (value: T) => void;

/**
 * A subscription this client renews itself on every (re)connect, before "ready" listeners run, so
 * a catch-up started from "ready" never races the live stream.
 */
interface Subscription {
  message: MessageBase;
  callback: (event: unknown) => void;
  unsubscribe?: () => Promise<void>;
}

/**
 * One shared Home Assistant connection: home-assistant-js-websocket's Connection over a `ws`
 * socket, a heartbeat that detects half-open sockets, reconnects with backoff, resubscribes after
 * every reconnect and tells listeners so they can catch up. A refused token stops all retrying.
 */
export class HaClient {
  private connection: Connection | undefined;
  private heartbeat: Heartbeat | undefined;
  private statusValue: ConnectionStatus = { state: 'connecting', attempt: 0 };
  private readonly statusListeners = new Set<Listener<ConnectionStatus>>();
  private readonly readyListeners = new Set<Listener<HaClient>>();
  private readonly subscriptions = new Set<Subscription>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Why the current socket is being dropped, for the "disconnected" status that follows. */
  private pendingReason: string | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: HaClientOptions) {
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  get connected(): boolean {
    return this.statusValue.state === 'connected' && this.connection?.connected === true;
  }

  /** Calls the listener now and on every change; returns an unsubscribe function. */
  onStatus(listener: Listener<ConnectionStatus>): () => void {
    this.statusListeners.add(listener);
    listener(this.statusValue);
    return () => this.statusListeners.delete(listener);
  }

  /** Called after every successful (re)connect, once subscriptions are renewed; now if already connected. */
  onReady(listener: Listener<HaClient>): () => void {
    this.readyListeners.add(listener);
    if (this.connected) listener(this);
    return () => this.readyListeners.delete(listener);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connectFirstTime(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.heartbeat?.stop();
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      const socket = connection.socket as unknown as WebSocket | undefined;
      connection.close();
      socket?.terminate();
    }
    this.setStatus({ state: 'stopped' });
  }

  /** A websocket command; rejects with HaConnectionError when not connected, HaCommandError when HA refuses it. */
  async command<T>(message: MessageBase): Promise<T> {
    const connection = this.connection;
    if (!connection || !this.connected) throw new HaConnectionError(`not connected to Home Assistant (${this.describeStatus()})`);
    try {
      return await connection.sendMessagePromise<T>(message);
    } catch (error) {
      throw toCommandError(error);
    }
  }

  async callService(domain: string, service: string, data?: object, target?: object): Promise<unknown> {
    const message: MessageBase = { type: 'call_service', domain, service };
    if (data) message.service_data = data;
    if (target) message.target = target;
    return this.command(message);
  }

  async fireEvent(eventType: string, data: object): Promise<unknown> {
    return this.command({ type: 'fire_event', event_type: eventType, event_data: data });
  }

  /** Keeps `handler` subscribed across reconnects; resolves once the first subscription is in place or queued. */
  async subscribe(message: MessageBase, callback: (event: unknown) => void): Promise<() => Promise<void>> {
    const subscription: Subscription = { message, callback };
    this.subscriptions.add(subscription);
    if (this.connected && this.connection) await this.renew(this.connection, subscription);
    return async () => {
      this.subscriptions.delete(subscription);
      if (this.connected) await subscription.unsubscribe?.().catch(() => undefined);
    };
  }

  /** Writes an entity state through the REST API (the websocket API has no command for it). */
  async setState(entityId: string, state: string, attributes: object): Promise<void> {
    const { baseUrl, token } = this.options.config;
    let response: RestResponse;
    try {
      response = await restRequest('POST', `${baseUrl}/api/states/${encodeURIComponent(entityId)}`, { state, attributes }, { token, rejectUnauthorized: this.options.rejectUnauthorized });
    } catch (error) {
      throw new HaConnectionError(`could not reach Home Assistant to set ${entityId}: ${describeError(error, [token])}`);
    }
    if (response.status === 401 || response.status === 403) throw new HaAuthError(`Home Assistant refused the token when setting ${entityId}`);
    if (response.status < 200 || response.status >= 300) {
      throw new HaCommandError(`setting ${entityId} failed: HTTP ${response.status} ${response.body.slice(0, 200)}`, `http_${response.status}`, response.status >= 500);
    }
  }

  private describeStatus(): string {
    const status = this.statusValue;
    return 'reason' in status && status.reason ? `${status.state}: ${status.reason}` : status.state;
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.stopped && status.state !== 'stopped') return;
    this.statusValue = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private createSocket = () =>
    openAuthenticatedSocket({
      websocketUrl: this.options.config.websocketUrl,
      token: this.options.config.token,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      rejectUnauthorized: this.options.rejectUnauthorized,
    });

  private async connectFirstTime(attempt: number): Promise<void> {
    if (this.stopped) return;
    this.setStatus({ state: 'connecting', attempt });
    let connection: Connection;
    try {
      // The library types createSocket for the browser WebSocket; ws implements the same surface.
      connection = await createConnection({ createSocket: this.createSocket as unknown as ConnectionOptions['createSocket'] });
    } catch (error) {
      if (this.stopped) return;
      if (error === ERR_INVALID_AUTH) {
        this.setStatus({ state: 'auth-failed', reason: 'access token refused' });
        return;
      }
      this.setStatus({ state: 'disconnected', reason: 'cannot connect' });
      const delay = backoffDelay(attempt, { ...FIRST_CONNECT_BACKOFF, ...this.options.initialRetry });
      this.retryTimer = setTimeout(() => void this.connectFirstTime(attempt + 1), delay);
      return;
    }
    if (this.stopped) {
      connection.close();
      (connection.socket as unknown as WebSocket | undefined)?.terminate();
      return;
    }
    this.adopt(connection);
  }

  private adopt(connection: Connection): void {
    this.connection = connection;
    connection.addEventListener('ready', () => void this.onConnected(connection));
    connection.addEventListener('disconnected', () => {
      this.heartbeat?.stop();
      this.setStatus({ state: 'disconnected', reason: this.pendingReason ?? 'connection lost' });
      this.pendingReason = undefined;
    });
    connection.addEventListener('reconnect-error', () => {
      this.heartbeat?.stop();
      this.setStatus({ state: 'auth-failed', reason: 'access token refused' });
    });
    void this.onConnected(connection);
  }

  private async onConnected(connection: Connection): Promise<void> {
    if (this.stopped) return;
    this.heartbeat?.stop();
    this.heartbeat = startHeartbeat({
      ping: () => connection.ping(),
      intervalMs: this.options.heartbeatIntervalMs ?? 30_000,
      timeoutMs: this.options.heartbeatTimeoutMs ?? 10_000,
      onTimeout: () => {
        this.pendingReason = 'no pong (half-open connection)';
        // terminate() fires 'close' at once; the library's close handler then reconnects.
        (connection.socket as unknown as WebSocket | undefined)?.terminate();
      },
    });
    const renewed = await Promise.all([...this.subscriptions].map((subscription) => this.renew(connection, subscription).then(() => undefined, (error: unknown) => error)));
    if (this.stopped || !connection.connected) return;
    const failure = renewed.find((outcome) => outcome !== undefined);
    if (failure !== undefined) {
      // Connected without its subscriptions would be "no updates after HA restarted": drop the
      // socket after a pause (HA may still be starting) and let the reconnect renew them.
      const reason = `resubscribing failed: ${describeError(failure, [this.options.config.token])}`;
      this.setStatus({ state: 'disconnected', reason });
      this.retryTimer = setTimeout(() => {
        this.pendingReason = reason;
        (connection.socket as unknown as WebSocket | undefined)?.terminate();
      }, 5000);
      return;
    }
    this.setStatus({ state: 'connected', haVersion: connection.haVersion ?? '' });
    for (const listener of this.readyListeners) listener(this);
  }

  private async renew(connection: Connection, subscription: Subscription): Promise<void> {
    subscription.unsubscribe = await connection.subscribeMessage(subscription.callback, subscription.message, { resubscribe: false });
  }
}

function toCommandError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code, message } = error as { code: unknown; message?: unknown };
    if (code === 3) return new HaConnectionError('connection to Home Assistant lost');
    return new HaCommandError(`Home Assistant refused the command: ${String(message ?? code)} (${String(code)})`, String(code));
  }
  if (error === 3) return new HaConnectionError('connection to Home Assistant lost');
  return new HaCommandError(`Home Assistant refused the command: ${String(error)}`, 'unknown');
}
