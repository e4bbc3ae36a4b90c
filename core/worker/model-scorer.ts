import { defaultSeriesModels } from '../anomaly/scoring/mapping';
import { AnomalyService } from '../anomaly/scoring/service';
import type { ReadingScorer } from './scorer';
import type { Sensitivity } from '../anomaly/scoring/sensitivity';

export interface ModelScorerOptions {
  /** Per-series models: a subfolder per series. Series without one start from the default and learn online. */
  modelDir: string;
  /** Series scored with a fixed model folder inside modelDir (default defaultSeriesModels: `seed.power` → `seed-hour-profile`). */
  seriesModels?: Record<string, string>;
  /** Folder (inside modelDir) of the default model new series start from (default `default`). */
  defaultModel?: string;
  /** Save each series' trained model into modelDir (off by default: workers may share a read-only directory). */
  save?: boolean;
  sensitivity?: Sensitivity;
  /** How often due (re)trainings are started in the background (default every minute). */
  retrainCheckMs?: number;
  log?: (line: string) => void;
}

/**
 * The worker's scorer: core/anomaly's AnomalyService (the same per-series models as the
 * smarts-anomaly node), retraining in the background on the service's schedule.
 */
export function createModelScorer(options: ModelScorerOptions): ReadingScorer {
  const log = options.log ?? (() => undefined);
  const service = new AnomalyService({
    modelDir: options.modelDir,
    mapping: options.seriesModels ?? defaultSeriesModels,
    defaultModel: options.defaultModel,
    save: options.save ?? false,
    keepRecent: false,
    ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}),
    logger: { info: () => undefined, warn: (message) => log(`worker: ${message}`) },
  });
  const stopRetraining = service.startRetraining({
    checkEveryMs: options.retrainCheckMs,
    onError: (error) => log(`worker: background training failed: ${error.message}`),
  });
  return {
    async score(reading) {
      const [scored] = await service.score([reading]);
      if (!scored) throw new Error(`no score for ${reading.entity_id}`);
      return scored;
    },
    async close() {
      stopRetraining();
    },
    snapshot: (entityId) => service.snapshotSeries(entityId),
    restore: (state) => service.restoreSeries(state),
  };
}
