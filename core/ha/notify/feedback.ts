/** The phone's answer to one of this node's actionable notifications. */
export interface Feedback {
  feedback: 'expected' | 'investigate';
  entity_id: string;
  ts: number;
}

export const notificationActionEvent = 'mobile_app_notification_action';

/** Reads a `mobile_app_notification_action` event; undefined for other nodes' or apps' actions. */
export function parseFeedback(event: unknown, actionPrefix: string): Feedback | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const data = (event as { data?: { action?: unknown } }).data;
  const action = data?.action;
  if (typeof action !== 'string') return undefined;
  const parts = action.split('|');
  if (parts.length !== 4 || parts[0] !== actionPrefix) return undefined;
  const [, answer, entityId, ts] = parts;
  if ((answer !== 'expected' && answer !== 'investigate') || !entityId) return undefined;
  const time = Number(ts);
  if (!Number.isFinite(time)) return undefined;
  return { feedback: answer, entity_id: entityId, ts: time };
}
