import type { NodeAPI, NodeDef } from 'node-red';
import { HaClient } from '../../core/ha/client';
import { meterCandidates, notifyServiceChoices } from '../../core/ha/entity-list';
import { describeError } from '../../core/ha/errors';
import { resolveServerConfig } from '../../core/ha/server-config';
import type { HaServerNode } from '../shared/ha-server-api';

interface ServerDef extends NodeDef {
  url?: string;
  /** Seconds between pings; 0 or empty → 30. */
  heartbeat?: string | number;
  /** Accept a self-signed certificate (off by default: TLS is verified). */
  insecureTls?: boolean;
}

function seconds(value: string | number | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

export = function (RED: NodeAPI) {
  function SmartsHaServer(this: HaServerNode, def: ServerDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: HaServerNode, def: ServerDef): void {
    try {
      const config = resolveServerConfig({ url: def.url, token: node.credentials?.token });
      const heartbeat = seconds(def.heartbeat, 30);
      node.client = new HaClient({
        config,
        heartbeatIntervalMs: heartbeat * 1000,
        heartbeatTimeoutMs: Math.max(1000, Math.min(10_000, heartbeat * 1000)),
        rejectUnauthorized: def.insecureTls !== true,
      });
      let previous = '';
      node.client.onStatus((status) => {
        if (status.state === previous) return;
        previous = status.state;
        if (status.state === 'connected') node.log(`connected to Home Assistant ${status.haVersion} at ${config.addon ? 'the supervisor' : config.baseUrl}`);
        else if (status.state === 'disconnected') node.warn(`Home Assistant disconnected: ${status.reason}; reconnecting`);
        else if (status.state === 'auth-failed') node.error(`Home Assistant refused the access token; not retrying. Set a valid long-lived token and redeploy.`);
      });
      node.client.start();
    } catch (error) {
      node.configError = describeError(error, [node.credentials?.token ?? '']);
      node.error(`Home Assistant server: ${node.configError}`);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      const client = node.client;
      node.client = undefined;
      void (client ? client.stop() : Promise.resolve()).then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('smarts-ha-server', SmartsHaServer as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: { token: { type: 'password' } },
  });

  /** The deployed, connected server node behind a picker request, or an answer saying why not. */
  function connectedServer(id: unknown, res: { status(code: number): { json(body: unknown): void } }): HaServerNode | null {
    const server = RED.nodes.getNode(String(id ?? '')) as HaServerNode | null;
    if (!server?.client) {
      // a server config node added or changed in the editor has no connection until it is deployed
      res.status(404).json({ error: server?.configError ?? 'deploy the Home Assistant server first' });
      return null;
    }
    if (!server.client.connected) {
      res.status(503).json({ error: 'not connected to Home Assistant' });
      return null;
    }
    return server;
  }

  // The editor's entity picker: HA entities with a meter device class (or trackers/persons).
  RED.httpAdmin.get('/smarts-ha-server/:id/entities', RED.auth.needsPermission('smarts-ha-server.read'), (req, res) => {
    const server = connectedServer(req.params.id, res);
    if (!server?.client) return;
    const classes = typeof req.query.device_class === 'string' && req.query.device_class ? req.query.device_class.split(',') : undefined;
    server.client
      .command<Array<{ entity_id: string; state: string; attributes?: Record<string, unknown> }>>({ type: 'get_states' })
      .then((states) => res.json(meterCandidates(states, classes)))
      .catch((error: unknown) => res.status(502).json({ error: describeError(error) }));
  });

  // The notify dialog's picker: the server's notify services.
  RED.httpAdmin.get('/smarts-ha-server/:id/notify-services', RED.auth.needsPermission('smarts-ha-server.read'), (req, res) => {
    const server = connectedServer(req.params.id, res);
    if (!server?.client) return;
    server.client
      .command<Record<string, Record<string, { name?: unknown }>>>({ type: 'get_services' })
      .then((services) => res.json(notifyServiceChoices(services)))
      .catch((error: unknown) => res.status(502).json({ error: describeError(error) }));
  });
};
