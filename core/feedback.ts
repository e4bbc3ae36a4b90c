/**
 * The household's answer to an alert, as the notify node emits it and the anomaly node applies it:
 * "expected" joins training and silences the pattern for a while; "investigate" stays out of training.
 */
import { StreamSmartsError } from './errors';

export const feedbackKinds = ['expected', 'investigate'] as const;
export type FeedbackKind = (typeof feedbackKinds)[number];

export interface Feedback {
  feedback: FeedbackKind;
  entity_id: string;
  /** Epoch ms of the reading the answer is about. */
  ts: number;
}

/** Input that is not feedback; never worth retrying. */
export class FeedbackError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** `{feedback, entity_id, ts}` (ts as epoch ms or an ISO time) → Feedback; throws FeedbackError naming what is wrong. */
export function parseFeedback(input: unknown): Feedback {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FeedbackError('feedback must be an object {feedback, entity_id, ts}');
  const record = input as Record<string, unknown>;
  const kind = record.feedback;
  if (kind !== 'expected' && kind !== 'investigate') {
    throw new FeedbackError(`'feedback' must be "expected" or "investigate", got ${JSON.stringify(kind) ?? 'nothing'}`);
  }
  if (typeof record.entity_id !== 'string' || record.entity_id === '') throw new FeedbackError(`'entity_id' must be a non-empty string`);
  const ts = typeof record.ts === 'string' ? Date.parse(record.ts) : record.ts;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new FeedbackError(`'ts' must be epoch ms or an ISO time`);
  return { feedback: kind, entity_id: record.entity_id, ts };
}

/** Whether a payload is meant as feedback (it has a `feedback` field, which no reading has). */
export function looksLikeFeedback(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) && 'feedback' in payload;
}
