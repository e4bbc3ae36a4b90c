import { FeedbackError, parseFeedback, type Feedback, type FeedbackKind } from '../../feedback';

export const notificationActionEvent = 'mobile_app_notification_action';

/** Action ids carry what the answer is about: `<prefix>|expected|<entity_id>|<ts>`. */
export function actionId(prefix: string, answer: FeedbackKind, entityId: string, ts: number): string {
  return `${prefix}|${answer}|${entityId}|${ts}`;
}

/** Reads a `mobile_app_notification_action` event; undefined for other nodes' or apps' actions. */
export function feedbackFromAction(event: unknown, actionPrefix: string): Feedback | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const action = (event as { data?: { action?: unknown } }).data?.action;
  if (typeof action !== 'string') return undefined;
  const parts = action.split('|');
  if (parts.length !== 4 || parts[0] !== actionPrefix) return undefined;
  const [, feedback, entity_id, ts] = parts;
  try {
    return parseFeedback({ feedback, entity_id, ts: Number(ts) });
  } catch (error) {
    if (error instanceof FeedbackError) return undefined;
    throw error;
  }
}
