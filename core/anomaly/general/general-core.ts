/**
 * The general detector on plain numbers: a robust forecast whose errors feed an anomaly
 * likelihood, beside an instant check for a single extreme error, a level-shift check and a
 * stuck-signal check, combined as the largest of their calibrated scores (> 1 = alert). Spikes,
 * shifts and stuck runs are also measured against the series' own usual extremes (tail.ts,
 * stuck.ts), and an event alerts once (event.ts). Pure and synchronous.
 */
import { floorScale, forecast, learn, newForecastState } from './forecast';
import { learnLikelihood, newLikelihoodState, surprise } from './likelihood';
import { learnStuck, newStuckState, stuckScore } from './stuck';
import { learnShift, newShiftState, shiftZ, type ShiftRates } from './shift';
import { learnTail, newTailState, tailThreshold } from './tail';
import { eventScore, learnEvent, newEventState } from './event';
import type { GeneralCoreState } from './state';

export interface GeneralTuning {
  /** Readings before any alert (the series learns its scale meanwhile). */
  warmup: number;
  /** -log10 tail probability of the likelihood at which it alerts. */
  surpriseAt: number;
  /** Robust z of one error at which it alerts on its own (at least). */
  spikeAt: number;
  /** A spike must also pass this many times the series' usual high error z (its 99.5th percentile). */
  spikeMargin: number;
  /** A shift must also pass this many times the series' usual high shift z. */
  shiftMargin: number;
  /** Raw error scores are capped here before the likelihood sees them. */
  rawCap: number;
  /** Robust z of the short-window mean against the long run at which it alerts. */
  shiftAt: number;
  shiftRates: ShiftRates;
}

export const defaultTuning: GeneralTuning = { warmup: 60, surpriseAt: 6, spikeAt: 6, spikeMargin: 2, shiftMargin: 1, rawCap: 20, shiftAt: 1.6, shiftRates: { short: 0.04, long: 0.002 } };

/** 1.25 x the mean absolute error is about one standard deviation for Gaussian errors. */
const sdPerMeanError = 1.25;

export type GeneralReason = 'spike' | 'likelihood' | 'shift' | 'stuck' | 'none';

export interface GeneralScore {
  score: number;
  expected: number;
  reason: GeneralReason;
  /** Robust z of this reading's error. */
  z: number;
}

export function newGeneralCoreState(): GeneralCoreState {
  return { forecast: newForecastState(), tail: newTailState(), shiftTail: newTailState(), event: newEventState(), likelihood: newLikelihoodState(), stuck: newStuckState(), shift: newShiftState(), n: 0 };
}

export class GeneralCore {
  constructor(
    public state: GeneralCoreState = newGeneralCoreState(),
    private readonly tuning: GeneralTuning = defaultTuning,
  ) {}

  /** Scores a reading; learns from it unless `learnIt` is false (a late reading). */
  step(ts: number, value: number, learnIt = true): GeneralScore {
    const state = this.state;
    if (state.forecast.n === 0) {
      if (learnIt) this.learnAll(ts, value, 0, 0);
      return { score: 0, expected: value, reason: 'none', z: 0 };
    }
    const { expected, scale } = forecast(state.forecast, ts);
    const z = Math.abs(value - expected) / (sdPerMeanError * scale);
    const raw = Math.min(z, this.tuning.rawCap);
    const shiftNow = shiftZ(state.shift, value, scale, this.tuning.shiftRates);
    let score = 0;
    let reason: GeneralReason = 'none';
    if (state.n >= this.tuning.warmup) {
      const likelihood = surprise(state.likelihood, raw) / this.tuning.surpriseAt;
      const spike = z / tailThreshold((state.tail ??= newTailState()), this.tuning.spikeAt, this.tuning.spikeMargin);
      const stuck = stuckScore(state.stuck, value);
      score = likelihood;
      reason = 'likelihood';
      if (spike > score) {
        score = spike;
        reason = 'spike';
      }
      const shift = shiftNow / tailThreshold((state.shiftTail ??= newTailState()), this.tuning.shiftAt, this.tuning.shiftMargin);
      if (shift > score) {
        score = shift;
        reason = 'shift';
      }
      if (stuck > score) {
        score = stuck;
        reason = 'stuck';
      }
    }
    const event = (state.event ??= newEventState());
    const reported = eventScore(event, score);
    if (learnIt) {
      learnEvent(event, score);
      this.learnAll(ts, value, z, shiftNow);
    }
    return { score: reported, expected, reason, z };
  }

  private learnAll(ts: number, value: number, z: number, shift: number): void {
    const raw = Math.min(z, this.tuning.rawCap);
    learn(this.state.forecast, ts, value);
    learnTail((this.state.tail ??= newTailState()), z);
    learnTail((this.state.shiftTail ??= newTailState()), shift);
    learnLikelihood(this.state.likelihood, raw);
    learnStuck(this.state.stuck, value);
    learnShift(this.state.shift, value, this.tuning.shiftRates);
    this.state.n += 1;
  }

  get scale(): number {
    return floorScale(this.state.forecast);
  }

  /** One standard deviation of its forecast errors: a reading this far from the forecast has z = 1. */
  get errorSpread(): number {
    return sdPerMeanError * this.scale;
  }

  /** Past warm-up: it alerts. */
  get warmedUp(): boolean {
    return this.state.n >= this.tuning.warmup;
  }
}
