import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alertIndices, falseAlarmCost, labelWindows, normalisedScore, scoreWindows } from '../../../../../core/anomaly/evaluation/general-windows';

/** 1000 readings, one labelled run at 600-619. */
function labels(): number[] {
  return Array.from({ length: 1000 }, (_, i) => (i >= 600 && i < 620 ? 1 : 0));
}

function scoresAlertingAt(indices: readonly number[]): number[] {
  const scores = new Array<number>(1000).fill(0);
  for (const index of indices) scores[index] = 2;
  return scores;
}

describe('general eval scorer', () => {
  it('a window at the run onset, widened by a quarter of its length', () => {
    assert.deepEqual(labelWindows(labels()), [{ start: 595, end: 624 }]);
  });

  it('every reading above 1 is an alert, not only a crossing', () => {
    assert.deepEqual(alertIndices([0, 2, 2, 0.5, 3]), [1, 2, 4]);
  });

  it('an early alert in the window earns nearly 1; the alerts after it in the window cost nothing', () => {
    const result = scoreWindows(scoresAlertingAt([596, 597, 598, 610]), labels());
    assert.equal(result.detected, 1);
    assert.equal(result.falseAlarms, 0);
    assert.ok(result.raw > 0.9, `raw ${result.raw}`);
  });

  it('each alerting reading outside the windows and runs costs the false-alarm cost, as NAB counts them', () => {
    const result = scoreWindows(scoresAlertingAt([300, 301, 302, 303, 800]), labels());
    assert.equal(result.detected, 0);
    assert.equal(result.falseAlarms, 5);
    assert.ok(Math.abs(result.raw - (-1 - 5 * falseAlarmCost)) < 1e-9);
  });

  it('alerts inside the probation share are not scored, and a silent detector scores 0', () => {
    assert.equal(scoreWindows(scoresAlertingAt([10, 20]), labels()).falseAlarms, 0);
    assert.equal(normalisedScore([scoreWindows(new Array<number>(1000).fill(0), labels())]), 0);
  });
});
