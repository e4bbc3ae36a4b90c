/**
 * A series' history window in columns of typed arrays, oldest first: 16 bytes a point where an
 * array of objects costs some 60, so a worker holds 100,000 homes' windows in a few GB. Times are
 * kept exactly (whole seconds from the first point plus the milliseconds), rates as 64-bit floats
 * (32-bit ones changed what the autoencoder learnt: `npm run eval` lost 2 points of recall).
 */
import type { FeedbackKind } from '../../feedback';

export interface HistoryPoint {
  ts: number;
  rate: number;
  hour: number;
  /** Flagged when scored, so kept out of training unless marked expected. */
  flagged: boolean;
  feedback?: FeedbackKind;
}

/** The columns as a state store keeps them (see core/state/series-state.ts). */
export interface HistoryColumns {
  /** Time of the first point, ms. */
  base: number;
  /** Whole seconds after `base`. */
  seconds: Int32Array;
  /** The milliseconds beyond those seconds. */
  millis: Uint16Array;
  rate: Float64Array;
  hour: Uint8Array;
  /** Bit 0 flagged; bits 1-2 feedback (1 expected, 2 investigate). */
  flags: Uint8Array;
}

const flaggedBit = 1;
const feedbackCodes: Record<FeedbackKind, number> = { expected: 1, investigate: 2 };
const feedbackOf: Record<number, FeedbackKind | undefined> = { 1: 'expected', 2: 'investigate' };

export class SeriesHistory {
  private base = 0;
  private seconds = new Int32Array(0);
  private millis = new Uint16Array(0);
  private rates = new Float64Array(0);
  private hours = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private size = 0;

  get length(): number {
    return this.size;
  }

  tsAt(index: number): number {
    return this.base + (this.seconds[index] as number) * 1000 + (this.millis[index] as number);
  }

  rateAt(index: number): number {
    return this.rates[index] as number;
  }

  hourAt(index: number): number {
    return this.hours[index] as number;
  }

  flaggedAt(index: number): boolean {
    return ((this.flags[index] as number) & flaggedBit) !== 0;
  }

  feedbackAt(index: number): FeedbackKind | undefined {
    return feedbackOf[(this.flags[index] as number) >> 1];
  }

  pointAt(index: number): HistoryPoint {
    const feedback = this.feedbackAt(index);
    return { ts: this.tsAt(index), rate: this.rateAt(index), hour: this.hourAt(index), flagged: this.flaggedAt(index), ...(feedback ? { feedback } : {}) };
  }

  firstTs(): number | undefined {
    return this.size > 0 ? this.tsAt(0) : undefined;
  }

  lastTs(): number | undefined {
    return this.size > 0 ? this.tsAt(this.size - 1) : undefined;
  }

  /** Appends a point; points come in time order (the caller keeps late ones out). */
  push(point: HistoryPoint): void {
    if (this.size === 0) this.base = point.ts - (point.ts % 1000);
    const offset = point.ts - this.base;
    // a point before the base (or beyond int32 seconds) re-bases the columns first
    if (offset < 0 || offset / 1000 >= 2 ** 31) this.rebase(point.ts);
    if (this.size === this.seconds.length) this.grow(this.size + Math.max(64, this.size >> 3));
    this.write(this.size, point);
    this.size += 1;
  }

  /** Index of the point at exactly `ts`, or -1. */
  indexOf(ts: number): number {
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const at = this.tsAt(middle);
      if (at === ts) return middle;
      if (at < ts) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  setFeedback(index: number, feedback: FeedbackKind): void {
    this.flags[index] = ((this.flags[index] as number) & flaggedBit) | (feedbackCodes[feedback] << 1);
  }

  /** Drops the points older than `ts`. */
  dropBefore(ts: number): void {
    let drop = 0;
    while (drop < this.size && this.tsAt(drop) < ts) drop += 1;
    if (drop === 0) return;
    this.seconds.copyWithin(0, drop, this.size);
    this.millis.copyWithin(0, drop, this.size);
    this.rates.copyWithin(0, drop, this.size);
    this.hours.copyWithin(0, drop, this.size);
    this.flags.copyWithin(0, drop, this.size);
    this.size -= drop;
  }

  /** Every point, oldest first, as objects (for training and tests; not kept). */
  points(): HistoryPoint[] {
    const all: HistoryPoint[] = [];
    for (let index = 0; index < this.size; index += 1) all.push(this.pointAt(index));
    return all;
  }

  /** Replaces the contents with `points`, which must be in time order. */
  replace(points: readonly HistoryPoint[]): void {
    this.size = 0;
    this.grow(points.length);
    for (const point of points) this.push(point);
  }

  columns(): HistoryColumns {
    return {
      base: this.base,
      seconds: this.seconds.slice(0, this.size),
      millis: this.millis.slice(0, this.size),
      rate: this.rates.slice(0, this.size),
      hour: this.hours.slice(0, this.size),
      flags: this.flags.slice(0, this.size),
    };
  }

  static fromColumns(columns: HistoryColumns): SeriesHistory {
    const size = columns.seconds.length;
    if ([columns.millis, columns.rate, columns.hour, columns.flags].some((column) => column.length !== size)) throw new Error('history columns differ in length');
    const history = new SeriesHistory();
    history.base = columns.base;
    history.seconds = Int32Array.from(columns.seconds);
    history.millis = Uint16Array.from(columns.millis);
    history.rates = Float64Array.from(columns.rate);
    history.hours = Uint8Array.from(columns.hour);
    history.flags = Uint8Array.from(columns.flags);
    history.size = size;
    return history;
  }

  private write(index: number, point: HistoryPoint): void {
    const offset = point.ts - this.base;
    const seconds = Math.floor(offset / 1000);
    this.seconds[index] = seconds;
    this.millis[index] = offset - seconds * 1000;
    this.rates[index] = point.rate;
    this.hours[index] = point.hour;
    this.flags[index] = (point.flagged ? flaggedBit : 0) | (point.feedback ? feedbackCodes[point.feedback] << 1 : 0);
  }

  private grow(capacity: number): void {
    if (capacity <= this.seconds.length) return;
    const resize = <T extends Int32Array | Uint16Array | Float64Array | Uint8Array>(column: T, make: (length: number) => T): T => {
      const next = make(capacity);
      next.set(column.subarray(0, this.size));
      return next;
    };
    this.seconds = resize(this.seconds, (length) => new Int32Array(length));
    this.millis = resize(this.millis, (length) => new Uint16Array(length));
    this.rates = resize(this.rates, (length) => new Float64Array(length));
    this.hours = resize(this.hours, (length) => new Uint8Array(length));
    this.flags = resize(this.flags, (length) => new Uint8Array(length));
  }

  private rebase(ts: number): void {
    const points = this.points();
    this.size = 0;
    this.base = ts - (ts % 1000);
    for (const point of points) this.write(this.size++, point);
  }
}
