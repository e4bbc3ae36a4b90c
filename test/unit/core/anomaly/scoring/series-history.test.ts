import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SeriesHistory, type HistoryPoint } from '../../../../../core/anomaly/scoring/series-history';

const hour = 3_600_000;
const t0 = Date.UTC(2025, 0, 6, 0, 0, 0, 0);

function point(index: number, extra: Partial<HistoryPoint> = {}): HistoryPoint {
  return { ts: t0 + index * hour, rate: 100 + index * 1.5, hour: index % 24, flagged: index % 7 === 0, ...extra };
}

describe('series history columns', () => {
  it('gives back every point as it was pushed: times to the millisecond, rates exactly, flags and feedback', () => {
    const history = new SeriesHistory();
    const pushed = [point(0), point(1, { ts: t0 + hour + 123 }), point(2, { feedback: 'expected' }), point(3, { flagged: true, feedback: 'investigate' })];
    for (const each of pushed) history.push(each);
    assert.equal(history.length, 4);
    assert.deepEqual(history.points(), pushed);
    assert.equal(history.firstTs(), t0);
    assert.equal(history.lastTs(), t0 + 3 * hour);
  });

  it('grows past its first capacity and finds points by exact time', () => {
    const history = new SeriesHistory();
    for (let index = 0; index < 5000; index += 1) history.push(point(index));
    assert.equal(history.length, 5000);
    assert.equal(history.indexOf(t0 + 4321 * hour), 4321);
    assert.equal(history.indexOf(t0 + 4321 * hour + 1), -1, 'a time between points is not found');
    assert.equal(history.rateAt(4999), 100 + 4999 * 1.5);
  });

  it('drops the oldest points and keeps the rest in order', () => {
    const history = new SeriesHistory();
    for (let index = 0; index < 100; index += 1) history.push(point(index));
    history.dropBefore(t0 + 40 * hour);
    assert.equal(history.length, 60);
    assert.equal(history.firstTs(), t0 + 40 * hour);
    assert.deepEqual(history.pointAt(59), point(99));
    history.push(point(100));
    assert.equal(history.lastTs(), t0 + 100 * hour);
  });

  it('feedback set later is kept beside the flag', () => {
    const history = new SeriesHistory();
    history.push(point(0, { flagged: true }));
    history.setFeedback(0, 'investigate');
    assert.equal(history.flaggedAt(0), true);
    assert.equal(history.feedbackAt(0), 'investigate');
    history.setFeedback(0, 'expected');
    assert.equal(history.feedbackAt(0), 'expected');
  });

  it('round-trips through its columns, and refuses columns of different lengths', () => {
    const history = new SeriesHistory();
    for (let index = 0; index < 30; index += 1) history.push(point(index));
    const copy = SeriesHistory.fromColumns(history.columns());
    assert.deepEqual(copy.points(), history.points());
    const columns = history.columns();
    assert.throws(() => SeriesHistory.fromColumns({ ...columns, rate: columns.rate.slice(1) }), /differ in length/);
  });

  it('replace takes a sorted array, even one that starts before the old base', () => {
    const history = new SeriesHistory();
    history.push(point(10));
    const sorted = [point(0), point(5), point(10)];
    history.replace(sorted);
    assert.deepEqual(history.points().map((each) => each.ts), sorted.map((each) => each.ts));
  });

  it('holds a point in 16 bytes: 90 days of hourly readings in 35 KB of columns', () => {
    const history = new SeriesHistory();
    for (let index = 0; index < 90 * 24; index += 1) history.push(point(index));
    const columns = history.columns();
    const bytes = [columns.seconds, columns.millis, columns.rate, columns.hour, columns.flags].reduce((sum, column) => sum + column.byteLength, 0);
    assert.equal(bytes, 90 * 24 * 16);
  });
});
