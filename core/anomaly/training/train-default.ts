/**
 * Builds models/default from several homes: the per-hour extreme rates over all of them, and
 * an autoencoder trained on their pooled residual windows (each home's residuals against its
 * own profile), from which each new series' own autoencoder starts.
 */
import { hourOfDay } from '../../units';
import type { SeriesRow } from '../series-file';
import type { AnomalyLogger } from '../model/backend';
import { contextAutoencoderShape, trainAutoencoder } from '../model/autoencoder';
import type { DefaultModelParams } from '../model/default-model';
import { fitHomeModel } from './fit';
import { contextInput, contextTarget, residualOf } from '../model/home-model';
import { median } from '../stats';
import { unitFactor } from '../../units';

export interface HomeSeries {
  name: string;
  rows: readonly SeriesRow[];
  intervalS: number;
  /** Energy unit of the rows' values, per interval. */
  unit: string;
}

export interface DefaultTrainingReport {
  homes: { name: string; points: number; maxRateW: number; medianRateW: number }[];
  windows: number;
  loss: number;
  backend: string;
  extremeMargin: number;
}

export async function trainDefaultModel(
  homes: readonly HomeSeries[],
  options: { window?: number; epochs?: number; extremeMargin?: number; seed?: number; logger?: AnomalyLogger; onProgress?: (fraction: number, stage: string) => void } = {},
): Promise<{ params: DefaultModelParams; report: DefaultTrainingReport }> {
  const window = options.window ?? 24;
  const margin = options.extremeMargin ?? 1.25;
  const hourMax = new Array<number>(24).fill(0);
  const hourMedians: number[][] = Array.from({ length: 24 }, () => []);
  const inputs: Float32Array[] = [];
  const targets: Float32Array[] = [];
  const report: DefaultTrainingReport = { homes: [], windows: 0, loss: Number.NaN, backend: '', extremeMargin: margin };
  for (const [index, home] of homes.entries()) {
    const factor = unitFactor('energy', home.unit) * (3600 / home.intervalS);
    const points = home.rows.filter((row) => !row.artefact).map((row) => ({ ts: row.ts, rate: row.value * factor }));
    for (const point of points) {
      const hour = hourOfDay(point.ts);
      hourMax[hour] = Math.max(hourMax[hour] as number, point.rate);
    }
    const byHour: number[][] = Array.from({ length: 24 }, () => []);
    for (const point of points) byHour[hourOfDay(point.ts)]?.push(point.rate);
    byHour.forEach((values, hour) => {
      if (values.length > 0) hourMedians[hour]?.push(median(values));
    });
    const rates = points.map((point) => point.rate).sort((a, b) => a - b);
    report.homes.push({ name: home.name, points: points.length, maxRateW: rates[rates.length - 1] ?? 0, medianRateW: rates[Math.floor(rates.length / 2)] ?? 0 });
    // Residuals against the home's own profile over successive 8-week blocks, as online training sees them.
    const blockMs = 56 * 86_400_000;
    const start = points[0]?.ts ?? 0;
    const end = points[points.length - 1]?.ts ?? 0;
    for (let from = start; from + blockMs <= end + 1; from += blockMs) {
      const block = points.filter((point) => point.ts >= from && point.ts < from + blockMs);
      if (block.length < 24 * 14) continue;
      const { params } = await fitHomeModel(block, { readingKind: 'energy', unit: 'Wh', intervalS: home.intervalS, withoutAutoencoder: true, profileDays: 56 });
      const residuals = block.map((point) => residualOf(params, point));
      for (let stop = window; stop <= residuals.length; stop += 3) {
        const slice = residuals.slice(stop - window, stop);
        inputs.push(contextInput(slice, (block[stop - 1] as { ts: number }).ts, window));
        targets.push(contextTarget(slice, window));
      }
    }
    options.onProgress?.((0.3 * (index + 1)) / homes.length, `profiles ${home.name.slice(0, 20)}`);
  }
  // Keep the pooled set bounded so training stays small on two cores.
  const stride = Math.max(1, Math.floor(inputs.length / 20_000));
  const pickedInputs = inputs.filter((_, i) => i % stride === 0);
  const pickedTargets = targets.filter((_, i) => i % stride === 0);
  const epochs = options.epochs ?? 10;
  const trained = await trainAutoencoder(
    pickedInputs,
    pickedTargets,
    contextAutoencoderShape(window),
    {
      seed: options.seed ?? 42,
      epochs,
      batchSize: 128,
      learningRate: 0.005,
      logger: options.logger,
      onEpoch: (epoch) => options.onProgress?.(0.3 + (0.7 * epoch) / epochs, 'autoencoder'),
    },
  );
  trained.model.dispose();
  report.windows = pickedInputs.length;
  report.loss = trained.loss;
  report.backend = trained.backend;
  return {
    params: {
      type: 'default',
      unit: 'W',
      extremeRate: hourMax.map((max) => max * margin),
      typicalRate: hourMedians.map((values) => (values.length > 0 ? median(values) : 0)),
      window,
      autoencoder: trained.layers,
    },
    report,
  };
}
