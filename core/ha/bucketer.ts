import { hourMs, wattMsPerKwh } from '../units';
import { intervalStart } from './interval';
import { isAbsurd, type Plausibility } from './plausibility';

/**
 * A meter reading that counts up (energy, water, gas), a rate integrated over time (power in W), or
 * a measurement averaged over time (a temperature; see sample-bucketer.ts).
 */
export type BucketMode = 'cumulative' | 'rate' | 'mean';

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

/**
 * 'duplicate': same instant as the last sample (a resubscription repeats the current state); 'stale': older.
 * 'replacement': the meter was swapped for one at another reading (a jump no consumption explains,
 * confirmed by the readings after it): a new baseline, the jump itself not counted.
 */
export type PushOutcome = 'accepted' | 'duplicate' | 'stale' | 'unavailable' | 'reset' | 'replacement' | 'baseline' | Refusal;

/**
 * Samples refused and left out of the interval: 'implausible' (non-finite, past the absolute limit or
 * past the kind's cap), 'negative' (a meter total below 0), 'decrease' (a meter total a little
 * below its last reading: noise or a glitch, never negative consumption).
 */
export type Refusal = 'implausible' | 'negative' | 'decrease';

export const refusals: readonly PushOutcome[] = ['implausible', 'negative', 'decrease'];

export interface BucketerOptions {
  intervalMs: number;
  mode: Exclude<BucketMode, 'mean'>;
  /** A drop by more than this share of the last value is a new cycle, not noise. Default 0.1. */
  resetDropRatio?: number;
  /** Caps on what a sample may say; none given: only non-finite and absurd values are refused. */
  plausibility?: Plausibility;
}

/** What every bucketer does: samples in, closed intervals out on the clock. */
export interface Bucketer {
  readonly intervalMs: number;
  readonly currentStart: number | undefined;
  readonly lastSampleTs: number | undefined;
  restartAt(ts: number): void;
  push(sample: Sample): { outcome: PushOutcome; closed: ClosedInterval[] };
  advanceTo(now: number): ClosedInterval[];
}

/** A cumulative meter's rise is judged over at least this long, so a burst of quick states is not refused. */
const minimumWindowMs = 5 * 60_000;
/** Refused jumps in a row, rising plausibly among themselves, that make a meter replacement. */
const replacementConfirmations = 3;

interface PendingLevel {
  first: number;
  last: number;
  lastTs: number;
  count: number;
}

/**
 * Turns one entity's samples into consumption per interval. Samples older than or equal to the
 * last one are ignored (duplicates, out of order). Intervals close on the clock (advanceTo), so an
 * idle interval is 0 rather than missing. Cumulative meters: increases are consumption; a drop to
 * about 0 or by more than 10% starts a new cycle (its new value counts), a smaller drop is refused
 * ('decrease'). With caps, a rise or a new cycle's start beyond what the cap allows since the last
 * accepted value is a replaced meter (a new baseline) rather than consumption.
 * Rates: the last power is held until the next sample (HA reports on change) and integrated.
 */
export class IntervalBucketer implements Bucketer {
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
  /** Cumulative: time of the last accepted value, what a rise is judged against. */
  private lastAcceptedTs: number | undefined;
  /** Cumulative: refused jumps that may turn out to be a replaced meter. */
  private pending: PendingLevel | undefined;
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
    this.lastAcceptedTs = undefined;
    this.pending = undefined;
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

  /** Most a cumulative meter may rise from its last accepted value by `ts`. */
  private allowance(fromTs: number | undefined, ts: number): number {
    const perHour = this.options.plausibility?.maxIncreasePerHour;
    if (perHour === undefined || fromTs === undefined) return Infinity;
    return (perHour * Math.max(ts - fromTs, minimumWindowMs)) / hourMs;
  }

  private accept(value: number, ts: number): void {
    this.lastValue = value;
    this.lastAcceptedTs = ts;
    this.pending = undefined;
  }

  private pushCumulative(sample: Sample): PushOutcome {
    const value = sample.value;
    if (value === undefined) return 'unavailable';
    if (isAbsurd(value)) return 'implausible';
    if (value < 0) return 'negative';
    const last = this.lastValue;
    if (last === undefined) {
      this.accept(value, sample.ts);
      return 'baseline';
    }
    const allowance = this.allowance(this.lastAcceptedTs, sample.ts);
    if (value - last > allowance && (this.beforeReset === undefined || value - this.beforeReset > allowance)) return this.jump(value, sample.ts);
    if (this.beforeReset !== undefined && value >= this.beforeReset) {
      // The meter came back after a transient drop: undo what the "new cycle" counted and count
      // only what it rose past its old reading.
      this.acc += value - this.beforeReset - this.sinceReset;
      this.beforeReset = undefined;
      this.sinceReset = 0;
      this.accept(value, sample.ts);
      return 'accepted';
    }
    if (value >= last) {
      this.acc += value - last;
      if (this.beforeReset !== undefined) this.sinceReset += value - last;
      this.accept(value, sample.ts);
      return 'accepted';
    }
    const nearZero = value <= Math.abs(last) * 0.01;
    if (nearZero || value < last * (1 - this.resetDropRatio)) {
      this.openReset = true;
      if (value > allowance) {
        // Far more than could have been used since a reset to 0: another meter, at its own reading.
        this.beforeReset = undefined;
        this.sinceReset = 0;
        this.accept(value, sample.ts);
        return 'replacement';
      }
      this.beforeReset = last;
      this.sinceReset = value;
      this.acc += value;
      this.accept(value, sample.ts);
      return 'reset';
    }
    return 'decrease';
  }

  /** A rise past the cap is refused; confirmed by the readings after it, it was a replaced meter. */
  private jump(value: number, ts: number): PushOutcome {
    const pending = this.pending;
    if (pending && value >= pending.last && value - pending.last <= this.allowance(pending.lastTs, ts)) {
      pending.count += 1;
      pending.last = value;
      pending.lastTs = ts;
      if (pending.count >= replacementConfirmations) {
        this.acc += pending.last - pending.first;
        this.openReset = true;
        this.beforeReset = undefined;
        this.sinceReset = 0;
        this.accept(value, ts);
        return 'replacement';
      }
      return 'implausible';
    }
    this.pending = { first: value, last: value, lastTs: ts, count: 1 };
    return 'implausible';
  }

  private pushRate(sample: Sample): PushOutcome {
    this.integrateTo(sample.ts);
    this.integratedTo = sample.ts;
    if (sample.value === undefined) {
      this.lastValue = undefined;
      return 'unavailable';
    }
    const maxRate = this.options.plausibility?.maxRate;
    if (isAbsurd(sample.value) || (maxRate !== undefined && Math.abs(sample.value) > maxRate)) return 'implausible';
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
