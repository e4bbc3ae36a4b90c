import { intervalStart } from './interval';
import { isAbsurd } from './plausibility';
import type { Bucketer, ClosedInterval, PushOutcome, Sample } from './bucketer';

/** An interval's mean needs the value known for at least this share of it. */
const minimumKnownShare = 0.5;

/**
 * A measurement (temperature, humidity, CO2, pressure) per interval: the time-weighted mean of its
 * states, each held until the next (HA reports on change). An interval whose value was known for
 * less than half of it (unavailable, or the first state came late) is partial. Samples older than
 * or equal to the last one are ignored, as in IntervalBucketer.
 */
export class SampleBucketer implements Bucketer {
  private openStart: number | undefined;
  private weightedSum = 0;
  private knownMs = 0;
  private lastTs: number | undefined;
  private lastValue: number | undefined;
  private integratedTo: number | undefined;

  constructor(readonly intervalMs: number) {}

  get currentStart(): number | undefined {
    return this.openStart;
  }

  get lastSampleTs(): number | undefined {
    return this.lastTs;
  }

  restartAt(ts: number): void {
    this.openStart = intervalStart(ts, this.intervalMs);
    this.weightedSum = 0;
    this.knownMs = 0;
    this.lastTs = undefined;
    this.lastValue = undefined;
    this.integratedTo = undefined;
  }

  push(sample: Sample): { outcome: PushOutcome; closed: ClosedInterval[] } {
    if (this.lastTs !== undefined && sample.ts === this.lastTs) return { outcome: 'duplicate', closed: [] };
    if (this.lastTs !== undefined && sample.ts < this.lastTs) return { outcome: 'stale', closed: [] };
    if (this.openStart === undefined) this.restartAt(sample.ts);
    const closed = this.advanceTo(sample.ts);
    this.integrateTo(sample.ts);
    this.integratedTo = sample.ts;
    this.lastTs = sample.ts;
    if (sample.value === undefined) {
      this.lastValue = undefined;
      return { outcome: 'unavailable', closed };
    }
    if (isAbsurd(sample.value)) return { outcome: 'implausible', closed };
    const hadBaseline = this.lastValue !== undefined;
    this.lastValue = sample.value;
    return { outcome: hadBaseline ? 'accepted' : 'baseline', closed };
  }

  advanceTo(now: number): ClosedInterval[] {
    const closed: ClosedInterval[] = [];
    let start = this.openStart;
    if (start === undefined) return closed;
    while (start + this.intervalMs <= now) {
      const end: number = start + this.intervalMs;
      this.integrateTo(end);
      const partial = this.knownMs < this.intervalMs * minimumKnownShare;
      closed.push({ start, end, value: partial ? 0 : this.weightedSum / this.knownMs, partial, reset: false });
      start = end;
      this.openStart = end;
      this.weightedSum = 0;
      this.knownMs = 0;
    }
    return closed;
  }

  private integrateTo(until: number): void {
    const from = this.integratedTo;
    if (from === undefined || until <= from) return;
    if (this.lastValue !== undefined) {
      this.weightedSum += this.lastValue * (until - from);
      this.knownMs += until - from;
    }
    this.integratedTo = until;
  }
}
