import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dayMs, hourMs } from '../../../../../core/units';
import { countAlarms, evaluateDetector, hourOfWeekMadBaseline, injectEvents, knownTimingReference, planEvents, productDetector, type InjectedEvent } from '../../../../../core/anomaly/evaluation';
import { home, londonHome } from '../fixtures';

describe('evaluation (npm run eval)', () => {
  it('places the four event types at recorded, deterministic places and injects their energy exactly', () => {
    const series = home(londonHome, 120);
    const from = series.rows[0]!.ts + 35 * dayMs;
    const events = planEvents(from, series.rows.at(-1)!.ts, 7);
    assert.deepEqual(events, planEvents(from, series.rows.at(-1)!.ts, 7));
    assert.deepEqual(new Set(events.map((event) => event.type)), new Set(['overnight', 'heater-day', 'spike', 'always-on']));
    const injected = injectEvents(series.rows, events, series.intervalS);
    const added = injected.reduce((sum, row, i) => sum + row.value - series.rows[i]!.value, 0);
    const expected = events.reduce((sum, event) => sum + (event.watts / 1000) * ((event.end - event.start) / hourMs), 0);
    assert.ok(Math.abs(added - expected) < 1e-6, `${added} kWh added, ${expected} expected`);
    const heater = events.find((event) => event.type === 'heater-day')!;
    assert.ok(![0, 6].includes(new Date(heater.start).getDay()), 'the heater is on a working day');
  });

  it('counts detected events, delays and false-alarm episodes; the product beats the MAD baseline on false alarms', async () => {
    const series = home(londonHome, 120);
    const from = series.rows[0]!.ts + 35 * dayMs;
    const events = planEvents(from, series.rows.at(-1)!.ts, 7);
    const injected = injectEvents(series.rows, events, series.intervalS);
    const product = await evaluateDetector('london', injected, events, productDetector('product', series.intervalS, { fit: { epochs: 3 } }), from);
    const mad = await evaluateDetector('london', injected, events, hourOfWeekMadBaseline(), from);
    assert.equal(product.events, events.length);
    assert.ok(product.detected >= events.length / 2, `product detected ${product.detected}/${events.length}`);
    assert.ok(product.falseAlarms < mad.falseAlarms, `product ${product.falseAlarms} false alarms, MAD ${mad.falseAlarms}`);
    assert.ok(product.delaysHours.every((delay) => delay >= 0));
  });

  it('counts where alarm episodes start: one that began before an event detects nothing, one outside events is a false alarm', () => {
    const t0 = Date.UTC(2013, 0, 1);
    const events: InjectedEvent[] = [
      { type: 'overnight', start: t0 + 10 * hourMs, end: t0 + 18 * hourMs, watts: 1000 },
      { type: 'spike', start: t0 + 100 * hourMs, end: t0 + 101 * hourMs, watts: 3000 },
    ];
    const scored = Array.from({ length: 200 }, (_, hour) => {
      const ts = t0 + hour * hourMs;
      // an alarm from hour 12 (inside the overnight event), one running from hour 95 through the spike, one at hour 150
      const alarm = (hour >= 12 && hour <= 14) || (hour >= 95 && hour <= 102) || hour === 150;
      return { ts, score: alarm ? 1.5 : 0.5 };
    });
    const result = countAlarms('home', 'detector', scored, events, t0, t0 + 199 * hourMs, 1);
    assert.equal(result.byType.overnight.detected, 1);
    assert.deepEqual(result.delaysHours, [2]);
    assert.equal(result.byType.spike.detected, 0, 'the episode from hour 95 started before the spike');
    assert.equal(result.falseAlarms, 2, 'the episodes starting at hours 95 and 150');
    const stricter = countAlarms('home', 'detector', scored, events, t0, t0 + 199 * hourMs, 2);
    assert.equal(stricter.detected + stricter.falseAlarms, 0, 'nothing is above a threshold of 2');
  });

  it('the known-timing reference scores each window against the weeks before: > 1 only in the night with +1 kW', () => {
    const reference = knownTimingReference(3600);
    const start = new Date(2013, 0, 1).getTime();
    const night = start + 30 * dayMs + 23 * hourMs;
    const scores = new Map<number, number>();
    for (let hour = 0; hour < 40 * 24; hour += 1) {
      const ts = start + hour * hourMs;
      const base = 0.3 + 0.01 * new Date(ts).getHours() + (new Date(ts).getHours() === 19 ? 1.5 : 0);
      const value = ts >= night && ts < night + 8 * hourMs ? base + 1 : base;
      scores.set(ts, reference.score({ ts, value }, hour) as number);
    }
    const above = [...scores].filter(([, score]) => score > 1).map(([ts]) => ts);
    // every hour of that night (its one-hour windows; the 8-hour window ends with the 06:00 reading)
    assert.deepEqual(above, Array.from({ length: 8 }, (_, i) => night + i * hourMs), `alarms at ${above.map((ts) => new Date(ts).toISOString()).join(', ')}`);
  });
});
