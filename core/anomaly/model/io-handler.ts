/**
 * tfjs model files on disk (model.json + weights.bin) without tfjs-node's file:// handler:
 * save through tf.io.withSaveHandler, load through tf.io.fromMemory.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tf, TfCore, TfLayers } from './backend';

export const modelJsonName = 'model.json';
export const weightsName = 'weights.bin';

function toBuffer(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

export async function saveLayersModel(tf: Tf, model: TfLayers.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('tfjs model has no weights to save');
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, weightsName), toBuffer(artifacts.weightData));
      await writeFile(join(dir, modelJsonName), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }[];
}

export async function loadLayersModel(tf: Tf, dir: string): Promise<TfLayers.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, modelJsonName), 'utf8')) as ModelJson;
  const manifest = json.weightsManifest?.[0];
  if (!json.modelTopology || !manifest || manifest.paths.length !== 1 || manifest.paths[0] !== weightsName) {
    throw new Error(`${modelJsonName} is not a layers model with one ${weightsName}`);
  }
  const weights = await readFile(join(dir, weightsName));
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: manifest.weights, weightData }));
}
