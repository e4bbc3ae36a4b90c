import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { FixedScorer } from '../anomaly/fixed-scorer';
import { folderFor, loadModelDir, ModelDirError, type LoadedModel } from '../anomaly/model-dir';
import { SeriesDetector } from '../anomaly/online';
import type { Reading, ScoredReading } from '../reading';
import type { ReadingScorer } from './scorer';

export interface ModelScorerOptions {
  /** Per-series models: a subfolder per series (see folderFor). Series without one learn online. */
  modelDir: string;
  /** Series scored with a fixed model instead, e.g. `seed.power` → `seed-hour-profile` (relative to modelDir, or absolute). */
  seriesModels?: Record<string, string>;
  /** The shipped default model new series start from (only extremes alert until they have their own). */
  defaultModelDir?: string;
  /** Told when a series gets its model, starts learning or finished (re)training. */
  log?: (line: string) => void;
}

interface SeriesScorer {
  score(reading: Reading): ScoredReading;
  /** Online series: a (re)train due at data time `ts` starts in the background. */
  maybeRetrain?(ts: number): void;
}

/**
 * Scores each series with its own model, loaded once from the model directory; series without a
 * model start from the default model and learn online (retraining in the background on a
 * schedule of data time, never blocking scoring).
 */
export function createModelScorer(options: ModelScorerOptions): ReadingScorer {
  const log = options.log ?? (() => undefined);
  const series = new Map<string, Promise<SeriesScorer>>();
  let defaultModel: Promise<LoadedModel | null> | undefined;

  const modelPath = (name: string) => (isAbsolute(name) ? name : resolve(options.modelDir, name));
  const loadDefault = () =>
    (defaultModel ??= options.defaultModelDir && existsSync(join(options.defaultModelDir, 'metadata.json'))
      ? loadModelDir(options.defaultModelDir)
      : Promise.resolve(null));

  async function open(entityId: string, kind: Reading['kind']): Promise<SeriesScorer> {
    const fixed = options.seriesModels?.[entityId];
    if (fixed) {
      const loaded = await loadModelDir(modelPath(fixed), { kind });
      log(`worker: ${entityId} scored with the fixed model ${loaded.dir}`);
      return new FixedScorer(loaded.model, `${loaded.model.type}:${fixed}`);
    }
    const own = join(resolve(options.modelDir), folderFor(entityId));
    let model: LoadedModel | null = null;
    if (existsSync(join(own, 'metadata.json'))) model = await loadModelDir(own, { kind });
    if (model && model.model.type !== 'home') return new FixedScorer(model.model, `${model.model.type}:${folderFor(entityId)}`);
    const fallback = await loadDefault();
    const detector = new SeriesDetector({
      entityId,
      defaultModel: fallback?.model.type === 'default' ? fallback.model : null,
      model: model?.model.type === 'home' ? model.model : null,
      modelId: model ? `home:${folderFor(entityId)}` : undefined,
    });
    log(`worker: ${entityId} ${model ? `scored with its model ${own}` : 'has no model yet: learning online from the default model'}`);
    return {
      score: (reading) => detector.score(reading),
      maybeRetrain(ts) {
        if (!detector.needsTraining(ts)) return;
        void detector.retrain(ts).then(
          (report) => report && log(`worker: ${entityId} retrained on ${detector.historySnapshot().length} readings`),
          (error: unknown) => log(`worker: retraining ${entityId} failed: ${(error as Error).message}`),
        );
      },
    };
  }

  return {
    async score(reading) {
      let scorer = series.get(reading.entity_id);
      if (!scorer) {
        scorer = open(reading.entity_id, reading.kind);
        series.set(reading.entity_id, scorer);
        // A broken model directory must be fixed, not retried per message.
        scorer.catch(() => undefined);
      }
      let ready: SeriesScorer;
      try {
        ready = await scorer;
      } catch (error) {
        throw error instanceof ModelDirError ? error : new ModelDirError(`model of ${reading.entity_id}: ${(error as Error).message}`);
      }
      const scored = ready.score(reading);
      ready.maybeRetrain?.(reading.ts);
      return scored;
    },
  };
}
