/**
 * A model directory: metadata.json (format, version, model type, reading kind, unit, scaling,
 * thresholds, training window, file checksums), params.json (profile and tables) and, when the
 * model has an autoencoder, the tfjs model.json + weights.bin. Loading verifies all of it.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { StreamSmartsError } from '../../errors';
import type { ReadingKind } from '../../reading';
import { loadTf, type AnomalyLogger } from './backend';
import { buildAutoencoder, extractLayers, setLayers } from './autoencoder';
import type { DefaultModelParams } from './default-model';
import type { DenseLayer } from './dense';
import type { HomeModelParams } from './home-model';
import type { HourProfileParams } from './hour-profile';
import { loadLayersModel, modelJsonName, saveLayersModel, weightsName } from './io-handler';

export const modelFormat = 'stream-smarts-anomaly';
export const modelFormatVersion = 1;

/** A directory that is missing, corrupt or for another kind of series; retrying will not help. */
export class ModelDirError extends StreamSmartsError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A model that meets a reading of a kind it is not for; retrying will not help. */
export class ModelKindError extends ModelDirError {}

export type StoredModel = HomeModelParams | HourProfileParams | DefaultModelParams;

// the seed's table is in energy per hour; the default's extremes and typical rates are in W, energy per hour or power
const fixedKinds: Record<Exclude<StoredModel['type'], 'home'>, readonly ReadingKind[]> = { 'hour-profile': ['energy'], default: ['energy', 'power'] };

/** The kinds of reading a model scores: a home model its own; hour-profile energy; default energy and power. */
export function modelKinds(model: StoredModel): readonly ReadingKind[] {
  return model.type === 'home' ? [model.readingKind] : fixedKinds[model.type];
}

/** Throws a ModelKindError unless `model` scores `kind` readings; `where` (the model's folder) ends the message. */
export function checkModelKind(model: StoredModel, kind: ReadingKind, where?: string): void {
  const kinds = modelKinds(model);
  if (kinds.includes(kind)) return;
  throw new ModelKindError(`the ${model.type} model is for ${kinds.join(' and ')}, not ${kind} readings${where === undefined ? '' : ` (${where})`}`);
}

export interface ModelMetadata {
  format: typeof modelFormat;
  version: number;
  modelType: StoredModel['type'];
  kind: ReadingKind;
  unit: string;
  scaling: { transform: 'asinh' | 'none'; scale: number };
  thresholds: Record<string, number>;
  trainingWindow: { from: string | null; to: string | null; points: number };
  createdAt: string;
  backend: string | null;
  files: Record<string, string>;
  report?: Record<string, unknown>;
}

/** Resolves `name` as a subfolder of `root`, refusing anything that would leave it. */
export function resolveInside(root: string, name: string): string {
  if (name.length === 0 || isAbsolute(name) || name.includes('\0')) throw new ModelDirError(`model name '${name}' is not a relative folder name`);
  const base = resolve(root);
  const target = resolve(base, name);
  const rel = relative(base, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new ModelDirError(`model '${name}' would be outside the model directory ${base}`);
  return target;
}

/** A series id as a folder name: "sensor.house_energy" stays, anything else becomes '_'. */
export function folderFor(seriesId: string): string {
  const safe = seriesId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe.length > 0 ? safe.slice(0, 120) : '_';
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function withoutAutoencoder(model: StoredModel): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...model };
  delete copy.autoencoder;
  return copy;
}

function autoencoderOf(model: StoredModel): DenseLayer[] | null {
  return model.type === 'hour-profile' ? null : model.autoencoder;
}

export interface SaveOptions {
  from?: number;
  to?: number;
  points?: number;
  backend?: string | null;
  report?: Record<string, unknown>;
  logger?: AnomalyLogger;
}

/** Writes into a fresh sibling folder, then swaps it in by rename, so readers never see half a model. */
export async function saveModelDir(dir: string, model: StoredModel, options: SaveOptions = {}): Promise<ModelMetadata> {
  const target = resolve(dir);
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    const files: Record<string, string> = {};
    const params = JSON.stringify(withoutAutoencoder(model));
    await writeFile(join(staging, 'params.json'), params);
    files['params.json'] = sha256(params);
    const layers = autoencoderOf(model);
    if (layers) {
      const { tf } = await loadTf(options.logger);
      const first = layers[0] as DenseLayer;
      const last = layers[layers.length - 1] as DenseLayer;
      const tfModel = buildAutoencoder(tf, { inputs: first.inputs, outputs: last.units, hidden: first.units, bottleneck: (layers[1] as DenseLayer).units }, 1);
      setLayers(tf, tfModel, layers);
      await saveLayersModel(tf, tfModel, staging);
      tfModel.dispose();
      for (const name of [modelJsonName, weightsName]) files[name] = sha256(await readFile(join(staging, name)));
    }
    const kind: ReadingKind = model.type === 'home' ? model.readingKind : 'energy';
    const metadata: ModelMetadata = {
      format: modelFormat,
      version: modelFormatVersion,
      modelType: model.type,
      kind,
      unit: model.unit,
      scaling: model.type === 'home' ? { transform: 'asinh', scale: model.scale } : { transform: 'none', scale: 1 },
      thresholds: model.type === 'home' ? { ...model.thresholds } : model.type === 'hour-profile' ? { score: 1 } : { extreme: 1 },
      trainingWindow: {
        from: options.from !== undefined ? new Date(options.from).toISOString() : null,
        to: options.to !== undefined ? new Date(options.to).toISOString() : null,
        points: options.points ?? 0,
      },
      createdAt: new Date().toISOString(),
      backend: options.backend ?? null,
      files,
      ...(options.report ? { report: options.report } : {}),
    };
    await writeFile(join(staging, 'metadata.json'), `${JSON.stringify(metadata, null, 1)}\n`);
    const old = `${target}.old-${process.pid}-${Date.now()}`;
    const exists = await stat(target).then(() => true, () => false);
    if (exists) {
      // keep what lives beside the model (reports) across a retrain
      const modelFiles = new Set(['metadata.json', 'params.json', modelJsonName, weightsName]);
      for (const name of await readdir(target)) {
        if (!modelFiles.has(name)) await cp(join(target, name), join(staging, name), { recursive: true });
      }
    }
    if (exists) await rename(target, old);
    await rename(staging, target);
    if (exists) await rm(old, { recursive: true, force: true });
    return metadata;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export interface LoadedModel {
  model: StoredModel;
  metadata: ModelMetadata;
  dir: string;
}

export interface LoadOptions {
  /** Refuse (ModelKindError) a model for another kind of reading. */
  kind?: ReadingKind;
  logger?: AnomalyLogger;
}

async function readChecked(dir: string, name: string, metadata: ModelMetadata): Promise<Buffer> {
  const expected = metadata.files[name];
  if (!expected) throw new ModelDirError(`${dir}: metadata.json lists no checksum for ${name}`);
  const data = await readFile(join(dir, name)).catch(() => {
    throw new ModelDirError(`${dir}: ${name} is missing`);
  });
  if (sha256(data) !== expected) throw new ModelDirError(`${dir}: ${name} is corrupt (checksum mismatch)`);
  return data;
}

export async function loadModelDir(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const target = resolve(dir);
  const text = await readFile(join(target, 'metadata.json'), 'utf8').catch(() => {
    throw new ModelDirError(`${target} is not a model directory (no metadata.json)`);
  });
  let metadata: ModelMetadata;
  try {
    metadata = JSON.parse(text) as ModelMetadata;
  } catch {
    throw new ModelDirError(`${target}: metadata.json is not valid JSON`);
  }
  if (metadata.format !== modelFormat) throw new ModelDirError(`${target}: not a ${modelFormat} model (format ${JSON.stringify(metadata.format)})`);
  if (metadata.version !== modelFormatVersion) throw new ModelDirError(`${target}: model format version ${metadata.version} is not supported (need ${modelFormatVersion})`);
  let params: StoredModel;
  try {
    params = JSON.parse((await readChecked(target, 'params.json', metadata)).toString('utf8')) as StoredModel;
  } catch (error) {
    if (error instanceof ModelDirError) throw error;
    throw new ModelDirError(`${target}: params.json is not valid JSON`);
  }
  if (params.type !== metadata.modelType) throw new ModelDirError(`${target}: params.json is a ${params.type} model, metadata says ${metadata.modelType}`);
  if (!modelKinds(params).includes(metadata.kind)) throw new ModelDirError(`${target}: metadata.json says kind ${metadata.kind}, but the ${params.type} model is for ${modelKinds(params).join(' and ')} readings`);
  if (options.kind) checkModelKind(params, options.kind, target);
  if (params.type === 'home' && (params.center?.length !== 168 || params.spread?.length !== 168)) throw new ModelDirError(`${target}: profile must have 168 slots`);
  if (params.type === 'hour-profile' && !Array.isArray(params.hours)) throw new ModelDirError(`${target}: hour-profile has no hours table`);
  if (params.type !== 'hour-profile') {
    params.autoencoder = null;
    if (metadata.files[modelJsonName]) {
      await readChecked(target, modelJsonName, metadata);
      await readChecked(target, weightsName, metadata);
      const { tf } = await loadTf(options.logger);
      let layers: DenseLayer[];
      try {
        const tfModel = await loadLayersModel(tf, target);
        layers = extractLayers(tfModel);
        tfModel.dispose();
      } catch (error) {
        throw new ModelDirError(`${target}: the tfjs model cannot be loaded: ${(error as Error).message}`);
      }
      const last = layers[layers.length - 1] as DenseLayer;
      if ((layers[0] as DenseLayer).inputs !== params.window + 3 || last.units !== params.window) {
        throw new ModelDirError(`${target}: autoencoder shape does not match a window of ${params.window}`);
      }
      params.autoencoder = layers;
    }
  }
  return { model: params, metadata, dir: target };
}
