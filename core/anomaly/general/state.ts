/** The general detector's learned state: plain numbers and short arrays, a few KB as JSON. */
export interface ForecastState {
  n: number;
  level: number;
  /** A slow level, the base of the daily profile. */
  slow: number;
  slope: number;
  last: number;
  /** Mean absolute forecast error, clipped (robust). */
  scale: number;
  /** The smallest non-zero step seen: the sensor's resolution. */
  resolution: number;
  profile: number[];
  profileSeen: number[];
  /** Recent mean absolute error of each predictor: level, level + profile, trend. */
  errors: number[];
  firstTs: number;
}

export interface LikelihoodState {
  /** The last few raw scores (a ring), and the next slot. */
  recent: number[];
  next: number;
  /** Mean and variance of the short-window average, over the long run. */
  mean: number;
  variance: number;
  n: number;
}

export interface StuckState {
  /** Readings in a row with the same value. */
  run: number;
  /** The longest run this series has ended by itself (absent in older states). */
  longestRun?: number;
  /** Long-run share of readings equal to the one before. */
  repeatShare: number;
  last: number | null;
  n: number;
}

export interface ShiftState {
  /** Mean of the last few dozen readings (EWMA). */
  short: number;
  /** Long-run mean and mean absolute deviation of the readings (robust). */
  mean: number;
  spread: number;
  n: number;
}

export interface TailState {
  /** The running high quantile of the error's robust z. */
  q: number;
  n: number;
}

export interface EventState {
  /** Highest score of the event under way; 0: none. */
  peak: number;
  /** Readings in a row below the alert line since its last alert. */
  calm: number;
}

export interface GeneralCoreState {
  forecast: ForecastState;
  /** The usual high error z and shift z; absent in states saved before them: start afresh. */
  tail?: TailState;
  shiftTail?: TailState;
  /** The alert under way (absent in older states: none). */
  event?: EventState;
  likelihood: LikelihoodState;
  stuck: StuckState;
  shift: ShiftState;
  n: number;
}
