import { meterNoun, meterOfflineTopic, type MeterStatus, type MeterStatusKind } from '../offline-message';
import { anomalyEventType, objectId, splitService, type HaCall, type NotifyOptions } from './alert-plan';

/**
 * The Home Assistant calls for a meter_offline / meter_online message. Not urgent (no priority,
 * no buttons); a tag of its own, so "back online" replaces the "offline" notification on the phone
 * and neither replaces an anomaly alert.
 */
export function offlineTagFor(entityId: string): string {
  return `stream_smarts_offline_${objectId(entityId)}`;
}

export function meterStatusTitle(kind: MeterStatusKind, status: MeterStatus): string {
  return `${meterNoun(status.kind)} ${kind === meterOfflineTopic ? 'offline' : 'back online'}`;
}

export function meterStatusPushCalls(kind: MeterStatusKind, status: MeterStatus, options: NotifyOptions): HaCall[] {
  const data = { tag: offlineTagFor(status.entity_id), group: options.group?.trim() || 'stream_smarts' };
  const message = { message: status.explanation, title: meterStatusTitle(kind, status), data };
  return options.services.map((name) => ({ kind: 'service' as const, ...splitService(name), data: message }));
}

/** Removes the "offline" notification from the phone without a sound (for quiet hours). */
export function meterStatusClearCalls(entityId: string, options: NotifyOptions): HaCall[] {
  return options.services.map((name) => ({ kind: 'service' as const, ...splitService(name), data: { message: 'clear_notification', data: { tag: offlineTagFor(entityId) } } }));
}

/** A persistent notification while the meter is offline, dismissed when it is back. */
export function meterStatusPersistentCall(kind: MeterStatusKind, status: MeterStatus): HaCall {
  const notificationId = offlineTagFor(status.entity_id);
  if (kind !== meterOfflineTopic) return { kind: 'service', domain: 'persistent_notification', service: 'dismiss', data: { notification_id: notificationId } };
  return { kind: 'service', domain: 'persistent_notification', service: 'create', data: { notification_id: notificationId, title: meterStatusTitle(kind, status), message: status.explanation } };
}

/** The anomaly event type, with `kind` telling automations it is about the meter, not consumption. */
export function meterStatusEventCall(kind: MeterStatusKind, status: MeterStatus): HaCall {
  const data: Record<string, unknown> = {
    kind,
    entity_id: status.entity_id,
    state: status.state,
    cause: status.cause,
    since: status.since,
    duration_s: status.duration_s,
    explanation: status.explanation,
  };
  if (status.until) data.until = status.until;
  return { kind: 'event', eventType: anomalyEventType, data };
}
