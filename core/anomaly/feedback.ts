/** Household feedback on alerts: "expected" joins training and silences the pattern; "investigate" stays out. */
export type FeedbackKind = 'expected' | 'investigate';

export interface Feedback {
  feedback: FeedbackKind;
  entity_id: string;
  ts: number;
}

export class FeedbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedbackError';
  }
}

export function parseFeedback(input: unknown): Feedback {
  if (typeof input !== 'object' || input === null) throw new FeedbackError('feedback must be an object {feedback, entity_id, ts}');
  const record = input as Record<string, unknown>;
  if (record.feedback !== 'expected' && record.feedback !== 'investigate') {
    throw new FeedbackError(`'feedback' must be "expected" or "investigate", got ${JSON.stringify(record.feedback)}`);
  }
  if (typeof record.entity_id !== 'string' || record.entity_id === '') throw new FeedbackError(`'entity_id' must be a non-empty string`);
  const ts = typeof record.ts === 'string' ? Date.parse(record.ts) : record.ts;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new FeedbackError(`'ts' must be epoch ms or an ISO time`);
  return { feedback: record.feedback, entity_id: record.entity_id, ts };
}

/**
 * A pattern marked expected: the same hour of day (±1) at up to 20% more than that level, until
 * `until` (by then retraining has learnt the marked reading as normal).
 */
export interface Suppression {
  hour: number;
  rate: number;
  until: number;
}

export function isSuppressed(suppressions: readonly Suppression[], ts: number, hour: number, rate: number): boolean {
  return suppressions.some((rule) => {
    if (ts > rule.until) return false;
    const distance = Math.min(Math.abs(rule.hour - hour), 24 - Math.abs(rule.hour - hour));
    return distance <= 1 && rate <= rule.rate * 1.2;
  });
}
