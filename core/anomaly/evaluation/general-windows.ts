/**
 * The scorer of `npm run eval -- --general`, NAB-like (our own code): each labelled anomaly run
 * gets a window at its onset (see labelWindows); an alert is a reading scored above 1. The first
 * alert in a window earns up to 1, more the earlier it comes (a sigmoid of its place in the
 * window); a window with none costs 1; as in NAB, every alerting reading outside every window and
 * every labelled run costs `falseAlarmCost` (NAB's standard profile), so a detector that stays
 * above 1 for a hundred readings pays a hundred times. The first `probation` share of a file
 * (learning) is not scored. A source's figure: 100 x (sum - none) / (perfect - none), where
 * `none` is a detector that never alerts (every window missed) and `perfect` one that alerts at
 * the start of every window only. So 0 = never alerting, 100 = perfect, below 0 = worse than silence.
 */
export const falseAlarmCost = 0.11;
export const probation = 0.15;

export interface LabelWindow {
  start: number;
  end: number;
}

/** The labelled runs of 1s (row indices, inclusive). */
export function labelRuns(labels: readonly number[]): LabelWindow[] {
  const runs: LabelWindow[] = [];
  for (let i = 0; i < labels.length; i += 1) {
    if (labels[i] !== 1) continue;
    const start = i;
    while (i + 1 < labels.length && labels[i + 1] === 1) i += 1;
    runs.push({ start, end: i });
  }
  return runs;
}

/**
 * Scoring windows around each run's onset: as NAB sizes them, all windows together cover about
 * a tenth of the file, so a detector alerting at random gains little. A window is the run's
 * first `limit` rows (limit = 10% of the rows / number of runs), widened by a quarter of that
 * on both sides; overlapping windows merge.
 */
export function labelWindows(labels: readonly number[]): LabelWindow[] {
  const runs = labelRuns(labels);
  const limit = Math.max(4, Math.round((0.1 * labels.length) / Math.max(1, runs.length)));
  const windows: LabelWindow[] = [];
  for (const run of runs) {
    const length = Math.min(run.end - run.start + 1, limit);
    const pad = Math.max(2, Math.round(length / 4));
    const widened = { start: Math.max(0, run.start - pad), end: Math.min(labels.length - 1, run.start + length - 1 + pad) };
    const previous = windows[windows.length - 1];
    if (previous && widened.start <= previous.end + 1) previous.end = Math.max(previous.end, widened.end);
    else windows.push(widened);
  }
  return windows;
}

/** Indices of the readings scored above 1. */
export function alertIndices(scores: readonly number[]): number[] {
  const alerts: number[] = [];
  for (let i = 0; i < scores.length; i += 1) if ((scores[i] as number) > 1) alerts.push(i);
  return alerts;
}

export interface WindowScore {
  windows: number;
  detected: number;
  falseAlarms: number;
  /** Sum of rewards and costs. */
  raw: number;
  /** Mean delay of detections, as a share of their window's length. */
  delays: number[];
}

/** Earlier in the window is worth more: ~0.99 at its start, 0 at its end. */
function positionReward(index: number, window: LabelWindow): number {
  const length = Math.max(1, window.end - window.start);
  const y = (index - window.end) / length;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

export function scoreWindows(scores: readonly number[], labels: readonly number[]): WindowScore {
  const from = Math.floor(probation * labels.length);
  const windows = labelWindows(labels).filter((window) => window.end >= from);
  const alerts = alertIndices(scores).filter((index) => index >= from);
  let raw = 0;
  let detected = 0;
  let falseAlarms = 0;
  const delays: number[] = [];
  const used = new Set<number>();
  for (const window of windows) {
    const first = alerts.find((index) => index >= window.start && index <= window.end);
    if (first === undefined) {
      raw -= 1;
      continue;
    }
    detected += 1;
    raw += positionReward(first, window);
    delays.push((first - window.start) / Math.max(1, window.end - window.start));
    for (const index of alerts) if (index >= window.start && index <= window.end) used.add(index);
  }
  // an alert later in a labelled run (after its window) is neither rewarded nor a false alarm
  const runs = labelRuns(labels);
  for (const index of alerts) {
    if (!used.has(index) && !runs.some((run) => index >= run.start && index <= run.end)) {
      falseAlarms += 1;
      raw -= falseAlarmCost;
    }
  }
  return { windows: windows.length, detected, falseAlarms, raw, delays };
}

/** 100 x (raw - none) / (perfect - none) over a set of files' window scores. */
export function normalisedScore(parts: readonly WindowScore[]): number {
  const windows = parts.reduce((sum, part) => sum + part.windows, 0);
  if (windows === 0) return 0;
  const raw = parts.reduce((sum, part) => sum + part.raw, 0);
  const perfect = windows * positionReward(0, { start: 0, end: 1 });
  return (100 * (raw + windows)) / (perfect + windows);
}
