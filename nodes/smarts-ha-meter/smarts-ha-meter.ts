import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { parseEntityIds } from '../../core/ha/entity-list';
import { describeError } from '../../core/ha/errors';
import { EnergyMeter, type IntervalLedger } from '../../core/ha/meter';
import { haConnectionStatus, throttled } from '../shared/ha-status';
import type { HaServerNode } from '../shared/ha-server-api';

interface MeterDef extends NodeDef {
  server: string;
  /** Entity ids separated by commas, spaces or new lines. */
  entities: string;
  /** Interval length in seconds: 3600 (default), 1800, 900. */
  interval: string | number;
  output: 'intervals' | 'raw' | 'both';
}

const ledgerKey = 'lastIntervalStart';

export = function (RED: NodeAPI) {
  function SmartsHaMeter(this: Node, def: MeterDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: MeterDef): void {
    const server = RED.nodes.getNode(def.server) as HaServerNode | null;
    const client = server?.client;
    let meter: EnergyMeter | undefined;
    let setupError: string | undefined;

    const context = node.context();
    const ledger: IntervalLedger = {
      get: (entityId) => {
        const stored = context.get(ledgerKey) as Record<string, number> | undefined;
        return stored?.[entityId];
      },
      set: (entityId, start) => {
        const stored = (context.get(ledgerKey) as Record<string, number> | undefined) ?? {};
        context.set(ledgerKey, { ...stored, [entityId]: start });
      },
    };

    const detail = (): string => {
      if (setupError) return setupError;
      if (!meter) return '';
      const { emitted, backfilled, skipped, stale } = meter.counters;
      const parts = [`${emitted} sent`];
      if (meter.catchingUp) parts.unshift('catching up');
      if (backfilled) parts.push(`${backfilled} backfilled`);
      if (skipped) parts.push(`${skipped} skipped`);
      if (stale) parts.push(`${stale} out of order`);
      return parts.join(', ');
    };
    const status = throttled(() => {
      if (!client) node.status({ fill: 'red', shape: 'ring', text: server?.configError ?? 'no Home Assistant server' });
      else if (setupError) node.status({ fill: 'red', shape: 'dot', text: setupError });
      else node.status(haConnectionStatus(client.status, detail()));
    });

    if (client) {
      try {
        const output = def.output ?? 'intervals';
        meter = new EnergyMeter({
          entities: parseEntityIds(def.entities),
          intervalMs: (Number(def.interval) > 0 ? Number(def.interval) : 3600) * 1000,
          emitRaw: output !== 'intervals',
          emitIntervals: output !== 'raw',
          source: client,
          ledger,
          emit: (reading) => node.send({ topic: reading.entity_id, payload: reading }),
          onCounters: () => status.request(),
          onError: (error, entityId) => node.warn(`${entityId ? `${entityId}: ` : ''}${describeError(error)}`),
        });
        const offStatus = client.onStatus(() => status.request());
        node.on('close', (_removed: boolean, done: () => void) => {
          offStatus();
          status.cancel();
          void (meter?.stop() ?? Promise.resolve()).then(() => done(), () => done());
        });
        meter.start().catch((error: unknown) => {
          setupError = describeError(error);
          status.request();
        });
      } catch (error) {
        setupError = describeError(error);
        node.error(setupError);
      }
    }
    status.request();

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      if (msg.topic !== 'history') {
        done(new Error(`smarts-ha-meter answers msg.topic "history" only (got ${JSON.stringify(msg.topic ?? null)})`));
        return;
      }
      if (!meter) {
        done(new Error(setupError ?? server?.configError ?? 'no Home Assistant server configured'));
        return;
      }
      const payload = msg.payload as { days?: unknown } | undefined;
      const days = Number(payload?.days ?? 30);
      node.status({ fill: 'blue', shape: 'ring', text: `reading ${days} days of history` });
      meter
        .history(days)
        .then((readings) => {
          send({ ...msg, payload: readings });
          status.request();
          done();
        })
        .catch((error: unknown) => {
          status.request();
          done(error instanceof Error ? error : new Error(describeError(error)));
        });
    });
  }

  RED.nodes.registerType('smarts-ha-meter', SmartsHaMeter);
};
