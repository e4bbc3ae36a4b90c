import { AnomalyService } from '../anomaly/service';
import type { ReadingScorer } from './scorer';
import type { Sensitivity } from '../anomaly/sensitivity';

export interface ModelScorerOptions {
  /** Per-series models: a subfolder per series. Series without one start from the default and learn online. */
  modelDir: string;
  /** Series scored with a fixed model folder inside modelDir, e.g. `seed.power` → `seed-hour-profile`. */
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
 * smarts-anomaly node), with due retraining started in the background on a timer.
 */
export function createModelScorer(options: ModelScorerOptions): ReadingScorer {
  const log = options.log ?? (() => undefined);
  const service = new AnomalyService({
    modelDir: options.modelDir,
    mapping: options.seriesModels,
    defaultModel: options.defaultModel,
    save: options.save ?? false,
    ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}),
    logger: { info: () => undefined, warn: (message) => log(`worker: ${message}`) },
  });
  const timer = setInterval(() => {
    service.retrainDue(Date.now(), undefined, (error) => log(`worker: background training failed: ${error.message}`));
  }, options.retrainCheckMs ?? 60_000);
  timer.unref();
  return {
    async score(reading) {
      const [scored] = await service.score([reading]);
      if (!scored) throw new Error(`no score for ${reading.entity_id}`);
      return scored;
    },
    async close() {
      clearInterval(timer);
    },
  };
}
