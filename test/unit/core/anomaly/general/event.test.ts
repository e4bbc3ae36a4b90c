import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { eventScore, heldScore, learnEvent, newEventState } from '../../../../../core/anomaly/general/event';
import { GeneralCore } from '../../../../../core/anomaly/general/general-core';

/** Feeds raw scores through the event state; returns what is reported. */
function reported(raw: readonly number[]): number[] {
  const state = newEventState();
  return raw.map((score) => {
    const out = eventScore(state, score);
    learnEvent(state, score);
    return out;
  });
}

describe('general detector: one alert per event', () => {
  it('a run of alerting scores alerts once; the rest are held just under the line', () => {
    const out = reported([0.2, 3, 2.5, 3.1, 2, 0.4]);
    assert.deepEqual(out, [0.2, 3, heldScore, heldScore, heldScore, 0.4]);
  });

  it('a markedly worse reading within the event alerts again', () => {
    assert.deepEqual(reported([2, 1.5, 5]), [2, heldScore, 5]);
  });

  it('after a calm spell the event is over and the next anomaly alerts', () => {
    const out = reported([2, ...new Array<number>(12).fill(0.1), 1.5]);
    assert.equal(out[out.length - 1], 1.5);
    assert.equal(reported([2, ...new Array<number>(5).fill(0.1), 1.5]).at(-1), heldScore, 'not calm long enough: the same event');
  });

  it('a level shift that lasts raises one alert, not one per reading until it is learnt', () => {
    const core = new GeneralCore();
    let x = 5;
    const noise = (): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31 - 0.5;
    };
    const values = Array.from({ length: 1500 }, (_, i) => (i < 1000 ? 20 : 26) + noise());
    const scores = values.map((value, i) => core.step(Date.UTC(2026, 0, 5) + i * 60_000, value).score);
    const alerts = scores.map((score, i) => (score > 1 ? i : -1)).filter((i) => i >= 1000);
    assert.ok(alerts.length >= 1 && (alerts[0] as number) < 1012, `alerted at the shift (${alerts.slice(0, 5).join(', ')})`);
    assert.ok(alerts.length <= 3, `a few alerts at most, not hundreds (${alerts.length})`);
    assert.ok(scores.slice(1000, 1100).filter((score) => score === heldScore).length > 10, 'the readings after it stay visibly high');
  });
});
