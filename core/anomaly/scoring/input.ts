/**
 * What a message to the anomaly node asks for, from its topic and shape: feedback (topic
 * "feedback", or a payload with a `feedback` field as the notify node sends), training (topic
 * "train", or the meter's history answer) or scoring (anything else).
 */
import { looksLikeFeedback, parseFeedback, type Feedback } from '../../feedback';
import { parseReading, ReadingError, type Reading } from '../../reading';
import { feedbackTopic, historyTopic, trainTopic } from '../../topics';

export type AnomalyRequest =
  | { kind: 'feedback'; feedback: Feedback }
  /** One history per series (a meter's history answer holds every entity it meters), in order of appearance. */
  | { kind: 'train'; histories: Reading[][] }
  /** `batch`: the payload was an array, so the answer is one too. */
  | { kind: 'score'; readings: Reading[]; batch: boolean };

/** Throws FeedbackError or ReadingError naming what is wrong with the message. */
export function anomalyRequest(topic: unknown, payload: unknown): AnomalyRequest {
  if (topic === feedbackTopic || looksLikeFeedback(payload)) return { kind: 'feedback', feedback: parseFeedback(payload) };
  const train = topic === trainTopic || (topic === historyTopic && Array.isArray(payload));
  const batch = Array.isArray(payload);
  const items: unknown[] = batch ? payload : [payload];
  if (items.length === 0) throw new ReadingError(train ? 'empty history: nothing to train on' : 'empty array: nothing to score');
  const readings = items.map((item, index) => {
    try {
      return parseReading(item);
    } catch (error) {
      throw new ReadingError(batch ? `item ${index}: ${(error as Error).message}` : (error as Error).message);
    }
  });
  return train ? { kind: 'train', histories: bySeries(readings) } : { kind: 'score', readings, batch };
}

function bySeries(readings: readonly Reading[]): Reading[][] {
  const series = new Map<string, Reading[]>();
  for (const reading of readings) {
    const history = series.get(reading.entity_id);
    if (history) history.push(reading);
    else series.set(reading.entity_id, [reading]);
  }
  return [...series.values()];
}
