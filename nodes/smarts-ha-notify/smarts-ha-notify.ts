import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { parseEntityIds } from '../../core/ha/entity-list';
import { describeError } from '../../core/ha/errors';
import { meterOfflineTopic, meterOnlineTopic } from '../../core/ha/offline-message';
import { AnomalyNotifier } from '../../core/ha/notify/notifier';
import { haConnectionStatus, throttled } from '../shared/ha-status';
import type { HaServerNode } from '../shared/ha-server-api';

interface NotifyDef extends NodeDef {
  server: string;
  /** notify services, e.g. "notify.mobile_app_phone", separated by commas or new lines. */
  services: string;
  message: string;
  title: string;
  group: string;
  urgent: boolean;
  actions: boolean;
  persistent: boolean;
  event: boolean;
  sensor: boolean;
  /** Minutes; default 60. A string when set as text, e.g. "${STREAM_SMARTS_ALERT_COOLDOWN}", which Node-RED substitutes at flow load. */
  cooldown: string | number;
  quietStart: string;
  quietEnd: string;
  queueSize: string | number;
}

function positive(value: unknown, fallback: number): number {
  const parsed = typeof value === 'string' ? Number(value.trim()) : Number(value);
  return value !== '' && value !== undefined && value !== null && Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

/** A number field's value, warning when one is set but is not a number (an unset or misspelt ${ENV}, say). */
function numberSetting(node: Node, label: string, value: unknown, fallback: number): number {
  const parsed = positive(value, fallback);
  if (parsed === fallback && value !== undefined && value !== null && String(value).trim() !== '' && Number(value) !== fallback) {
    node.warn(`${label} "${String(value)}" is not a number of 0 or more: using ${fallback}`);
  }
  return parsed;
}

export = function (RED: NodeAPI) {
  function SmartsHaNotify(this: Node, def: NotifyDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: NotifyDef): void {
    const server = RED.nodes.getNode(def.server) as HaServerNode | null;
    const client = server?.client;
    let notifier: AnomalyNotifier | undefined;
    let sent = 0;
    let suppressed = 0;
    let lastError: string | undefined;

    const detail = (): string => {
      const parts = [`${sent} alerts`];
      if (suppressed) parts.push(`${suppressed} held back`);
      if (notifier?.queued) parts.push(`${notifier.queued} queued`);
      if (lastError) parts.push(`last error: ${lastError}`);
      return parts.join(', ');
    };
    const status = throttled(() => {
      if (!client) node.status({ fill: 'red', shape: 'ring', text: server?.configError ?? 'no Home Assistant server' });
      else if (lastError && client.status.state === 'connected') node.status({ fill: 'red', shape: 'dot', text: detail() });
      else node.status(haConnectionStatus(client.status, detail()));
    });

    if (client) {
      notifier = new AnomalyNotifier({
        sink: client,
        services: parseEntityIds(def.services ?? ''),
        message: def.message,
        title: def.title,
        group: def.group,
        urgent: def.urgent === true,
        actions: def.actions !== false,
        persistent: def.persistent !== false,
        event: def.event !== false,
        sensor: def.sensor !== false,
        cooldownMs: numberSetting(node, 'cooldown', def.cooldown, 60) * 60_000,
        quietStart: def.quietStart,
        quietEnd: def.quietEnd,
        queueCapacity: Math.max(1, numberSetting(node, 'queue size', def.queueSize, 100)),
        actionPrefix: `smarts_${node.id}`,
        onFeedback: (feedback) => node.send([null, { topic: feedback.entity_id, payload: feedback }]),
        onWarn: (message) => {
          node.warn(message);
          status.request();
        },
        onQueueChange: () => status.request(),
      });
      const offStatus = client.onStatus(() => status.request());
      notifier.start().catch((error: unknown) => node.warn(`could not listen for notification actions: ${describeError(error)}`));
      node.on('close', (_removed: boolean, done: () => void) => {
        offStatus();
        status.cancel();
        void (notifier?.stop() ?? Promise.resolve()).then(() => done(), () => done());
      });
    }
    status.request();

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      if (!notifier) {
        done(new Error(server?.configError ?? 'no Home Assistant server configured'));
        return;
      }
      const meterStatus = msg.topic === meterOfflineTopic || msg.topic === meterOnlineTopic ? msg.topic : undefined;
      (meterStatus ? notifier.handleMeterStatus(meterStatus, msg.payload) : notifier.handle(msg.payload))
        .then((outcome) => {
          lastError = undefined;
          if (outcome.push.push) sent += 1;
          else if (outcome.anomaly || outcome.kind === meterOfflineTopic) suppressed += 1;
          status.request();
          send([{ ...msg, alert: outcome }, null]);
          done();
        })
        .catch((error: unknown) => {
          lastError = describeError(error);
          status.request();
          done(error instanceof Error ? error : new Error(lastError));
        });
    });
  }

  RED.nodes.registerType('smarts-ha-notify', SmartsHaNotify);
};
