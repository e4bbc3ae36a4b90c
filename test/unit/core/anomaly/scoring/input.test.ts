import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { anomalyRequest } from '../../../../../core/anomaly/scoring/input';
import { FeedbackError, parseFeedback } from '../../../../../core/feedback';
import { ReadingError } from '../../../../../core/reading';

const reading = { entity_id: 'sensor.a', ts: Date.UTC(2024, 0, 1, 3), value: 0.4, unit: 'kWh', kind: 'energy', interval_s: 3600 };
const answer = { feedback: 'expected', entity_id: 'sensor.a', ts: reading.ts };

describe("what a message to the anomaly node asks for", () => {
  it('the meter\'s history answer and topic "train" train; a history request or a lone reading under "history" is scored', () => {
    assert.equal(anomalyRequest('history', [reading]).kind, 'train');
    assert.equal(anomalyRequest('train', [reading]).kind, 'train');
    assert.equal(anomalyRequest('train', reading).kind, 'train');
    assert.deepEqual(anomalyRequest('history', reading), { kind: 'score', readings: [{ ...reading, hour: new Date(reading.ts).getHours() }], batch: false });
    assert.equal(anomalyRequest('sensor.a', [reading]).kind, 'score');
    assert.equal(anomalyRequest(undefined, [reading]).kind, 'score');
  });

  it("a meter's history of several entities is one history per series, in order", () => {
    const other = { ...reading, entity_id: 'sensor.b' };
    const request = anomalyRequest('history', [reading, other, { ...reading, ts: reading.ts + 3_600_000 }]);
    assert.ok(request.kind === 'train');
    assert.deepEqual(request.histories.map((history) => history.map((item) => `${item.entity_id}@${item.ts}`)), [
      [`sensor.a@${reading.ts}`, `sensor.a@${reading.ts + 3_600_000}`],
      [`sensor.b@${reading.ts}`],
    ]);
  });

  it("the notify node's answer is feedback by its shape, whatever the topic; topic \"feedback\" as today", () => {
    assert.deepEqual(anomalyRequest('sensor.a', answer), { kind: 'feedback', feedback: answer });
    assert.deepEqual(anomalyRequest('feedback', answer), { kind: 'feedback', feedback: answer });
    assert.throws(() => anomalyRequest('feedback', reading), /'feedback' must be "expected" or "investigate", got nothing/);
    assert.throws(() => anomalyRequest('sensor.a', { ...answer, feedback: 'sure' }), FeedbackError);
  });

  it('an empty history or batch, or a bad item, is a ReadingError naming it', () => {
    assert.throws(() => anomalyRequest('history', []), /empty history: nothing to train on/);
    assert.throws(() => anomalyRequest(undefined, []), /empty array: nothing to score/);
    assert.throws(() => anomalyRequest('train', [reading, { ...reading, ts: 'noon' }]), (error: unknown) => error instanceof ReadingError && /^item 1: /.test(error.message));
  });
});

describe('parseFeedback (the one Feedback of core/feedback.ts)', () => {
  it('takes ts as epoch ms or an ISO time and says what is wrong otherwise, never retriable', () => {
    assert.deepEqual(parseFeedback({ ...answer, ts: '2024-01-01T03:00:00Z' }), answer);
    for (const [input, message] of [
      [null, /must be an object/],
      [[answer], /must be an object/],
      [{ ...answer, entity_id: '' }, /'entity_id' must be a non-empty string/],
      [{ ...answer, ts: 'soon' }, /'ts' must be epoch ms or an ISO time/],
    ] as const) {
      assert.throws(() => parseFeedback(input), (error: unknown) => error instanceof FeedbackError && error.retriable === false && message.test(error.message));
    }
  });
});
