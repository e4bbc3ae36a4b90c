import { wattMsPerKwh } from '../units';
import { intervalStart } from './interval';

/** A meter reading that counts up (energy, water, gas), or a rate integrated over time (power in W). */
export type BucketMode = 'cumulative' | 'rate';

export interface Sample {
  ts: number;
  /** Canonical units; undefined when the state was unavailable/unknown. */
  value: number | undefined;
}

export interface ClosedInterval {
  start: number;
  end: number;
  /** Consumption in the interval: the meter's own unit for cumulative meters, kWh for power. */
  value: number;
  /** The baseline was unknown for part of the interval, so `value` undercounts. */
  partial: boolean;
  /** The meter reset (started a new cycle) during the interval. */
  reset: boolean;
}

/** 'duplicate': same instant as the last sample (a resubscription repeats the current state); 'stale': older. */
export type PushOutcome = 'accepted' | 'duplicate' | 'stale' | 'unavailable' | 'reset' | 'baseline';

export interface BucketerOptions {
  intervalMs: number;
  mode: BucketMode;
  /** A drop by more than this share of the last value is a new cycle, not noise. Default 0.1. */
  resetDropRatio?: number;
}

/**
 * Turns one entity's samples into consumption per interval. Samples older than or equal to the
 * last one are ignored (duplicates, out of order). Intervals close on the clock (advanceTo), so an
 * idle interval is 0 rather than missing. Cumulative meters: increases are consumption; a drop to
 * about 0 or by more than 10% starts a new cycle (its new value counts), a smaller drop is noise.
 * Rates: the last power is held until the next sample (HA reports on change) and integrated.
 */
export class IntervalBucketer {
  private openStart: number | undefined;
  private acc = 0;
  private openPartial = false;
  private openReset = false;
  private lastTs: number | undefined;
  private lastValue: number | undefined;
  /** Rate mode: energy is integrated up to this instant. */
  private integratedTo: number | undefined;
  /** Cumulative: the value before the last reset, to recognise a transient drop that comes back. */
  private beforeReset: number | undefined;
  /** What the new cycle counted since that reset, within the open interval. */
  private sinceReset = 0;
  private readonly resetDropRatio: number;

  constructor(private readonly options: BucketerOptions) {
    this.resetDropRatio = options.resetDropRatio ?? 0.1;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  /** Start of the open interval, if any. */
  get currentStart(): number | undefined {
    return this.openStart;
  }

  get lastSampleTs(): number | undefined {
    return this.lastTs;
  }

  /** Forgets everything and opens the interval containing `ts` with no baseline. */
  restartAt(ts: number): void {
    this.openStart = intervalStart(ts, this.options.intervalMs);
    this.acc = 0;
    this.openPartial = true;
    this.openReset = false;
    this.lastTs = undefined;
    this.lastValue = undefined;
    this.integratedTo = undefined;
    this.beforeReset = undefined;
    this.sinceReset = 0;
  }

  push(sample: Sample): { outcome: PushOutcome; closed: ClosedInterval[] } {
    if (this.lastTs !== undefined && sample.ts === this.lastTs) return { outcome: 'duplicate', closed: [] };
    if (this.lastTs !== undefined && sample.ts < this.lastTs) return { outcome: 'stale', closed: [] };
    if (this.openStart === undefined) this.restartAt(sample.ts);
    const closed = this.advanceTo(sample.ts);
    const outcome = this.options.mode === 'rate' ? this.pushRate(sample) : this.pushCumulative(sample);
    // A baseline taken exactly at the interval start (history's start-time state) covers it whole.
    if (outcome === 'baseline' && sample.ts === this.openStart) this.openPartial = false;
    this.lastTs = sample.ts;
    return { outcome, closed };
  }

  /** Closes every interval that ended at or before `now`. */
  advanceTo(now: number): ClosedInterval[] {
    const closed: ClosedInterval[] = [];
    const ms = this.options.intervalMs;
    let start = this.openStart;
    if (start === undefined) return closed;
    while (start + ms <= now) {
      const end: number = start + ms;
      if (this.options.mode === 'rate') this.integrateTo(end);
      closed.push({ start, end, value: this.acc, partial: this.openPartial, reset: this.openReset });
      start = end;
      this.openStart = end;
      this.acc = 0;
      this.openReset = false;
      this.openPartial = this.lastValue === undefined;
      this.beforeReset = undefined;
      this.sinceReset = 0;
    }
    return closed;
  }

  private pushCumulative(sample: Sample): PushOutcome {
    const value = sample.value;
    if (value === undefined) return 'unavailable';
    const last = this.lastValue;
    if (last === undefined) {
      this.lastValue = value;
      return 'baseline';
    }
    if (this.beforeReset !== undefined && value >= this.beforeReset) {
      // The meter came back after a transient drop: undo what the "new cycle" counted and count
      // only what it rose past its old reading.
      this.acc += value - this.beforeReset - this.sinceReset;
      this.beforeReset = undefined;
      this.sinceReset = 0;
      this.lastValue = value;
      return 'accepted';
    }
    if (value >= last) {
      this.acc += value - last;
      if (this.beforeReset !== undefined) this.sinceReset += value - last;
      this.lastValue = value;
      return 'accepted';
    }
    const nearZero = value <= Math.abs(last) * 0.01;
    if (nearZero || value < last * (1 - this.resetDropRatio)) {
      this.beforeReset = last;
      this.sinceReset = Math.max(0, value);
      this.acc += Math.max(0, value);
      this.openReset = true;
      this.lastValue = value;
      return 'reset';
    }
    return 'accepted';
  }

  private pushRate(sample: Sample): PushOutcome {
    this.integrateTo(sample.ts);
    this.integratedTo = sample.ts;
    if (sample.value === undefined) {
      this.lastValue = undefined;
      return 'unavailable';
    }
    const hadBaseline = this.lastValue !== undefined;
    this.lastValue = Math.max(0, sample.value);
    return hadBaseline ? 'accepted' : 'baseline';
  }

  private integrateTo(until: number): void {
    const from = this.integratedTo;
    if (from === undefined || until <= from) return;
    if (this.lastValue === undefined) this.openPartial = true;
    else this.acc += (this.lastValue * (until - from)) / wattMsPerKwh;
    this.integratedTo = until;
  }
}
