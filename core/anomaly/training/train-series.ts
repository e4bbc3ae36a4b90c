/** Training a series from its rows: the one path the CLI, the node and the default model share. */
import type { ReadingKind } from '../../reading';
import { hourOfWeek } from '../calendar';
import type { SeriesRow } from '../series-file';
import type { AnomalyLogger } from '../model/backend';
import { fitHomeModel, orderedHistory, type FitOptions, type FitReport } from './fit';
import { HomeScorer, untransform, type HomeModelParams } from '../model/home-model';
import type { ReportPoint } from './report';
import { isCumulativeKind, readingConversion } from '../../units';

export interface SeriesTrainOptions {
  kind: ReadingKind;
  /** Unit of the rows' values (converted to the kind's canonical unit). */
  unit: string;
  intervalS: number;
  fit?: Partial<FitOptions>;
  logger?: AnomalyLogger;
  onProgress?: (fraction: number, stage: string) => void;
}

export interface SeriesTrainResult {
  params: HomeModelParams;
  report: FitReport;
  points: ReportPoint[];
  /** Share of training points the final model scores above 1. */
  shareAboveThreshold: number;
}

export async function trainSeries(rows: readonly SeriesRow[], options: SeriesTrainOptions): Promise<SeriesTrainResult> {
  const { factor, unit } = readingConversion(options.kind, options.unit);
  const perHour = isCumulativeKind(options.kind) ? 3600 / options.intervalS : 1;
  const points = rows.filter((row) => !row.artefact && Number.isFinite(row.value)).map((row) => ({ ts: row.ts, rate: row.value * factor * perHour }));
  const { params, report } = await fitHomeModel(points, {
    readingKind: options.kind,
    unit,
    intervalS: options.intervalS,
    twoSided: !isCumulativeKind(options.kind) && options.kind !== 'power',
    logger: options.logger,
    onProgress: options.onProgress,
    ...options.fit,
  });
  const scorer = new HomeScorer(params);
  const toValue = (rate: number) => rate / factor / perHour;
  const reportPoints: ReportPoint[] = [];
  let above = 0;
  for (const point of orderedHistory(points).points) {
    if (point.ts < report.from) continue;
    const result = scorer.score(point);
    const slot = hourOfWeek(point.ts);
    const upperY = (params.center[slot] as number) + params.thresholds.point * (params.spread[slot] as number);
    if (result.score > 1) above += 1;
    reportPoints.push({ ts: point.ts, value: toValue(point.rate), expected: toValue(result.expectedRate), upper: toValue(untransform(params, upperY)), flagged: result.score > 1 });
  }
  return { params, report, points: reportPoints, shareAboveThreshold: reportPoints.length > 0 ? above / reportPoints.length : 0 };
}
