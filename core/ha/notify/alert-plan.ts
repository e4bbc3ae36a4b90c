import type { ScoredReading } from '../../reading';
import { actionId } from './feedback';
import { alertFields, defaultTemplate, defaultTitle, renderTemplate, type AlertSubject } from './template';

export const anomalyEventType = 'stream_smarts_anomaly';

export interface NotifyOptions {
  /** Notify services as "notify.mobile_app_phone" or "mobile_app_phone". */
  services: readonly string[];
  /** Message template; empty → the default for the reading's kind. */
  message?: string;
  title?: string;
  group?: string;
  urgent?: boolean;
  actions?: boolean;
  persistent?: boolean;
  event?: boolean;
  sensor?: boolean;
  /** Prefix that makes this node's action ids its own (the node id). */
  actionPrefix: string;
}

/** One HA call; the notifier runs them in order. */
export type HaCall =
  | { kind: 'service'; domain: string; service: string; data: Record<string, unknown> }
  | { kind: 'event'; eventType: string; data: Record<string, unknown> }
  | { kind: 'state'; entityId: string; state: string; attributes: Record<string, unknown> };

export function objectId(entityId: string): string {
  return entityId.replace(/[^a-z0-9]+/gi, '_').toLowerCase().replace(/^_+|_+$/g, '');
}

export function tagFor(entityId: string): string {
  return `stream_smarts_${objectId(entityId)}`;
}

export function scoreSensorId(entityId: string): string {
  return `sensor.stream_smarts_${objectId(entityId)}_anomaly_score`;
}

export function splitService(name: string): { domain: string; service: string } {
  const trimmed = name.trim();
  const dot = trimmed.indexOf('.');
  return dot === -1 ? { domain: 'notify', service: trimmed } : { domain: trimmed.slice(0, dot), service: trimmed.slice(dot + 1) };
}

export type ScoredSubject = AlertSubject & Pick<ScoredReading, 'anomaly'>;

/** The push notification(s), persistent notification and event for an anomalous reading. */
export function pushCalls(subject: ScoredSubject, options: NotifyOptions, name?: string): HaCall[] {
  const fields = alertFields(subject, name);
  const message = renderTemplate(options.message?.trim() || defaultTemplate(subject.kind), fields);
  const title = renderTemplate(options.title?.trim() || defaultTitle, fields);
  const data: Record<string, unknown> = { tag: tagFor(subject.entity_id), group: options.group?.trim() || 'stream_smarts' };
  if (options.urgent) Object.assign(data, { priority: 'high', ttl: 0, push: { 'interruption-level': 'time-sensitive' } });
  if (options.actions !== false) {
    data.actions = [
      { action: actionId(options.actionPrefix, 'expected', subject.entity_id, subject.ts), title: 'Expected' },
      { action: actionId(options.actionPrefix, 'investigate', subject.entity_id, subject.ts), title: 'Investigate' },
    ];
  }
  return options.services.map((name) => ({ kind: 'service' as const, ...splitService(name), data: { message, title, data } }));
}

export function persistentCall(subject: ScoredSubject, options: NotifyOptions, name?: string): HaCall {
  const fields = alertFields(subject, name);
  return {
    kind: 'service',
    domain: 'persistent_notification',
    service: 'create',
    data: {
      notification_id: tagFor(subject.entity_id),
      title: renderTemplate(options.title?.trim() || defaultTitle, fields),
      message: renderTemplate(options.message?.trim() || defaultTemplate(subject.kind), fields),
    },
  };
}

export function eventCall(subject: ScoredSubject): HaCall {
  return {
    kind: 'event',
    eventType: anomalyEventType,
    data: { entity_id: subject.entity_id, friendly_name: subject.friendly_name ?? subject.entity_id, ts: subject.ts, value: subject.value, expected: subject.expected, score: subject.score, unit: subject.unit },
  };
}

/** The score at which a reading is anomalous, shown on the sensor for charts and automations. */
export const anomalyThreshold = 1;

const roundTo = (value: number, digits: number): number => Number(value.toFixed(digits));

export function sensorCall(subject: ScoredSubject, lastAnomaly: number | undefined): HaCall {
  return {
    kind: 'state',
    entityId: scoreSensorId(subject.entity_id),
    state: String(roundTo(subject.score, 3)),
    attributes: {
      state_class: 'measurement',
      friendly_name: `${subject.friendly_name ?? subject.entity_id} anomaly score`,
      icon: 'mdi:chart-bell-curve',
      anomaly: subject.anomaly,
      threshold: anomalyThreshold,
      value: roundTo(subject.value, 4),
      expected: roundTo(subject.expected, 4),
      unit: subject.unit,
      reading_ts: new Date(subject.ts).toISOString(),
      last_anomaly: lastAnomaly === undefined ? null : new Date(lastAnomaly).toISOString(),
      source_entity: subject.entity_id,
    },
  };
}

/** Companion apps remove a notification sent with the same tag when sent "clear_notification". */
export function clearCalls(entityId: string, options: NotifyOptions): HaCall[] {
  return options.services.map((name) => ({ kind: 'service' as const, ...splitService(name), data: { message: 'clear_notification', data: { tag: tagFor(entityId) } } }));
}
