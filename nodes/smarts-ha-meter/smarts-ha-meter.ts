import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { parseEntityIds } from '../../core/ha/entity-list';
import { describeError } from '../../core/ha/errors';
import { EntityMeter, type IntervalLedger } from '../../core/ha/meter';
import { parseMeterClock, type MeterClock } from '../../core/ha/meter-clock';
import { clockTime } from '../../core/units';
import { createOfflineWatch, realSchedule, type OfflineWatch } from '../../core/ha/offline-watch';
import { historyTopic } from '../../core/topics';
import { haConnectionStatus, throttled } from '../shared/ha-status';
import type { HaServerNode } from '../shared/ha-server-api';

interface MeterDef extends NodeDef {
  server: string;
  /** Entity ids separated by commas, spaces or new lines. */
  entities: string;
  /** Interval length in seconds: 3600 (default), 1800, 900. */
  interval: string | number;
  /** `history`: no live readings, only answers to history requests (the anomaly node trains on them). */
  output: 'intervals' | 'raw' | 'both' | 'history';
  /** Minutes a meter must stay unavailable (or out of reach) before output 2 says so; fractions allowed; 0 = off. Default 15. */
  offlineGrace?: string | number;
}

function graceMinutes(value: unknown): number {
  const parsed = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= 0 ? parsed : 15;
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
    let meter: EntityMeter | undefined;
    let watch: OfflineWatch | undefined;
    let setupError: string | undefined;

    // npm start's simulated home runs every meter of its Node-RED on a simulated clock (an hour in
    // seconds); elsewhere the variable is unset and the meter cuts intervals on the wall clock.
    let clock: MeterClock | undefined;
    try {
      clock = parseMeterClock(process.env.STREAM_SMARTS_METER_CLOCK);
    } catch (error) {
      setupError = describeError(error);
    }
    const context = node.context();
    // A simulated run never resumes, so its (future) interval starts are not kept across restarts.
    const simulatedLedger = new Map<string, number>();
    const ledger: IntervalLedger = clock && !clock.wall ? { get: (entityId) => simulatedLedger.get(entityId), set: (entityId, start) => void simulatedLedger.set(entityId, start) } : {
      get: (entityId) => {
        const stored = context.get(ledgerKey) as Record<string, number> | undefined;
        return stored?.[entityId];
      },
      set: (entityId, start) => {
        const stored = (context.get(ledgerKey) as Record<string, number> | undefined) ?? {};
        context.set(ledgerKey, { ...stored, [entityId]: start });
      },
    };

    /** Readings sent in answers to history requests (a history-only meter sends nothing else). */
    let historySent = 0;
    const detail = (): string => {
      if (setupError) return setupError;
      if (!meter) return '';
      const { emitted, backfilled, skipped, rejected, stale } = meter.counters;
      const parts = [`${emitted} sent`];
      if (historySent) parts.push(`${historySent} from history`);
      if (meter.catchingUp) parts.unshift('catching up');
      if (backfilled) parts.push(`${backfilled} backfilled`);
      if (skipped) parts.push(`${skipped} skipped`);
      if (rejected) parts.push(`${rejected} rejected`);
      if (stale) parts.push(`${stale} out of order`);
      return parts.join(', ');
    };
    /** While connected: a meter reported offline (red), or one whose state went bad within the grace period (yellow). */
    const offlineStatus = (): NodeStatus | undefined => {
      const offline = (watch?.offline() ?? []).filter((entity) => entity.reported || (entity.cause !== 'connection' && entity.cause !== 'no-state'));
      const first = offline.sort((a, b) => a.since - b.since)[0];
      if (!first) return undefined;
      const who = offline.length === 1 ? first.entityId : `${offline.length} meters`;
      const reported = offline.some((entity) => entity.reported);
      const text = `${who} ${reported ? 'offline' : first.cause} since ${clockTime(first.since)} · ${detail()}`;
      return { fill: reported ? 'red' : 'yellow', shape: 'dot', text };
    };
    const status = throttled(() => {
      if (!client) node.status({ fill: 'red', shape: 'ring', text: server?.configError ?? 'no Home Assistant server' });
      else if (setupError) node.status({ fill: 'red', shape: 'dot', text: setupError });
      else node.status((client.status.state === 'connected' ? offlineStatus() : undefined) ?? haConnectionStatus(client.status, detail()));
    });

    if (client && clock) {
      try {
        const output = def.output ?? 'intervals';
        const entities = parseEntityIds(def.entities);
        meter = new EntityMeter({
          entities,
          intervalMs: (Number(def.interval) > 0 ? Number(def.interval) : 3600) * 1000,
          emitRaw: output === 'raw' || output === 'both',
          emitIntervals: output === 'intervals' || output === 'both',
          source: client,
          clock,
          ledger,
          emit: (reading) => node.send({ topic: reading.entity_id, payload: reading }),
          onCounters: () => status.request(),
          onState: (state, skipped) => watch?.observe(state, skipped),
          onError: (error, entityId) => node.warn(`${entityId ? `${entityId}: ` : ''}${describeError(error)}`),
          // Each refused state reaches Catch with what was refused; the meter keeps running.
          onRejected: (rejection) =>
            node.error(rejection.message, { topic: rejection.entityId, payload: { entity_id: rejection.entityId, ts: rejection.ts, state: rejection.state, unit: rejection.unit, reason: rejection.reason } }),
        });
        const graceMs = graceMinutes(def.offlineGrace) * 60_000;
        if (graceMs > 0) {
          watch = createOfflineWatch({
            entities,
            graceMs,
            now: Date.now,
            schedule: realSchedule,
            emit: (message) => node.send([null, { topic: message.topic, payload: message.payload }]),
            onChange: () => status.request(),
          });
        }
        const offStatus = client.onStatus((connection) => {
          watch?.connection(connection.state === 'connected');
          status.request();
        });
        node.on('close', (_removed: boolean, done: () => void) => {
          offStatus();
          watch?.stop();
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
      if (msg.topic !== historyTopic) {
        done(new Error(`smarts-ha-meter answers msg.topic "${historyTopic}" only (got ${JSON.stringify(msg.topic ?? null)})`));
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
          historySent += readings.length;
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
