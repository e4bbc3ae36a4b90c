import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { HaClient } from '../../../core/ha/client';
import { anomalyEventType } from '../../../core/ha/notify/alert-plan';
import { resolveServerConfig } from '../../../core/ha/server-config';
import { helper, loadNodeModules, type FlowNode, type HelperNode, type NodeModule } from '../../support/node-red-helper';
import { stackInfo } from '../../support/stack';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitFor } from '../../support/wait';

export { waitFor };

/** Shared helpers of the Home Assistant integration and node tests (not a test file itself). */

export interface HaTarget {
  url: string;
  token: string;
  notifyFile: string;
}

export function ha(): HaTarget {
  const { url, token, notifyFile } = stackInfo().ha;
  return { url, token, notifyFile };
}

/** Lower-case and unique per run, so reruns never collide on entity or statistic ids. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}

export async function rest<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, target: HaTarget = ha()): Promise<T> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface RestState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_updated: string;
}

/** Writes a state straight into HA's state machine (a real state_changed event); returns it as HA stored it. */
export function setState(entityId: string, state: string | number, attributes: Record<string, unknown> = {}): Promise<RestState> {
  return rest<RestState>('POST', `/api/states/${entityId}`, { state: String(state), attributes });
}

export async function getState(entityId: string): Promise<RestState | undefined> {
  try {
    return await rest<RestState>('GET', `/api/states/${entityId}`);
  } catch {
    return undefined;
  }
}

export function fireEvent(eventType: string, data: Record<string, unknown>): Promise<unknown> {
  return rest('POST', `/api/events/${eventType}`, data);
}

/** A connected client for the test's own checks (subscriptions, websocket-only commands). */
export async function connectedClient(target: HaTarget = ha(), options: Partial<ConstructorParameters<typeof HaClient>[0]> = {}): Promise<HaClient> {
  const client = new HaClient({ config: resolveServerConfig({ url: target.url, token: target.token }, {}), ...options });
  client.start();
  await waitFor(() => client.connected, 30_000, 'a connection to Home Assistant');
  return client;
}

/**
 * A client of the test's own, connected before the enclosing suite and stopped after it, and every
 * `stream_smarts_anomaly` event Home Assistant fires meanwhile.
 */
export function anomalyWatcherForSuite(): { events: Array<{ data: Record<string, unknown> }>; client: () => HaClient } {
  const events: Array<{ data: Record<string, unknown> }> = [];
  let watcher: HaClient | undefined;
  before(async () => {
    watcher = await connectedClient();
    await watcher.subscribe({ type: 'subscribe_events', event_type: anomalyEventType }, (event) => events.push(event as { data: Record<string, unknown> }));
  });
  after(async () => {
    await watcher?.stop();
  });
  return {
    events,
    client: () => {
      if (!watcher) throw new Error('the suite has not started');
      return watcher;
    },
  };
}

/** A TCP proxy the test controls in front of the shared Home Assistant, started before and stopped after the enclosing suite. */
export function haProxyForSuite(): TcpProxy {
  const target = new URL(ha().url);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  before(async () => {
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
  });
  return proxy;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function notifyLines(target: HaTarget = ha()): string[] {
  try {
    return readFileSync(target.notifyFile, 'utf8').split('\n');
  } catch {
    return [];
  }
}

// ---- Node-RED test helper -------------------------------------------------------------------

export { helper, type FlowNode, type HelperNode } from '../../support/node-red-helper';

export function haNodeModules(): NodeModule[] {
  return loadNodeModules('smarts-ha-server', 'smarts-ha-meter', 'smarts-ha-notify');
}

export interface StatusRecord {
  text?: string;
  fill?: string;
}

/** Collects statuses set on a node. */
export function statuses(node: HelperNode): StatusRecord[] {
  const seen: StatusRecord[] = [];
  node.on('call:status', (call: never) => seen.push((call as { args: [StatusRecord] }).args[0]));
  return seen;
}

/** Collects what arrives at a helper node. */
export function collect<T = Record<string, unknown>>(node: HelperNode): T[] {
  const seen: T[] = [];
  node.on('input', (msg: never) => seen.push(msg as T));
  return seen;
}

/** A server config node pointing at `url` (a proxy or HA itself) with a fast heartbeat. */
export function serverNode(id: string, url: string, heartbeat = 1): FlowNode {
  return { id, type: 'smarts-ha-server', url, heartbeat };
}

/** Loads a flow on one tab (Catch nodes need one; config nodes stay global) with the HA node modules. */
export async function loadFlow(flow: FlowNode[], credentials: Record<string, object> = {}): Promise<void> {
  const tabbed = [{ id: 'tab', type: 'tab', label: 'test' }, ...flow.map((node) => (node.type === 'smarts-ha-server' ? node : { z: 'tab', ...node }))];
  await helper.load(haNodeModules(), tabbed, credentials);
}

/** Short intervals are rebuilt from raw history (history/history_during_period): HA needs `history:` (part of default_config). */
export async function requireHistoryIntegration(): Promise<void> {
  const client = await connectedClient();
  try {
    await client.command({ type: 'history/history_during_period', start_time: new Date(Date.now() - 60_000).toISOString(), entity_ids: ['sun.sun'] });
  } catch (error) {
    throw new Error(`this Home Assistant has no history integration (${(error as Error).message}); add "history:" to its configuration.yaml (scripts/stack/ha/configuration.yaml.in)`);
  } finally {
    await client.stop();
  }
}

