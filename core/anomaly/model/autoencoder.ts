/**
 * The dense autoencoder, trained with tfjs (seeded, deterministic for a given backend).
 * It learns the normal shapes of a day's residuals (how far each recent interval was from
 * its usual level), so a whole day that is uniformly high (a cold day) reconstructs well
 * while a single unusual interval does not.
 */
import type { DenseLayer } from './dense';
import { loadTf, type AnomalyLogger, type BackendName, type Tf, type TfLayers } from './backend';
import { seededRandom } from '../stats';

export interface AutoencoderShape {
  inputs: number;
  outputs: number;
  hidden: number;
  bottleneck: number;
}

/** The context autoencoder of the home model: a window of recent values plus 3 time features in, the window out. */
export function contextAutoencoderShape(window: number): AutoencoderShape {
  return { inputs: window + 3, outputs: window, hidden: 16, bottleneck: 4 };
}

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  logger?: AnomalyLogger;
  /** Start from these weights (fine-tuning a default model) instead of a seeded initialisation. */
  initial?: DenseLayer[];
  /** Called after each epoch with (epoch, epochs, loss). */
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface TrainedAutoencoder {
  layers: DenseLayer[];
  loss: number;
  backend: BackendName;
  model: TfLayers.LayersModel;
}

export function buildAutoencoder(tf: Tf, shape: AutoencoderShape, seed: number): TfLayers.Sequential {
  const model = tf.sequential();
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  model.add(tf.layers.dense({ units: shape.hidden, activation: 'relu', inputShape: [shape.inputs], kernelInitializer: init(1) }));
  model.add(tf.layers.dense({ units: shape.bottleneck, activation: 'tanh', kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: shape.hidden, activation: 'relu', kernelInitializer: init(3) }));
  model.add(tf.layers.dense({ units: shape.outputs, activation: 'linear', kernelInitializer: init(4) }));
  return model;
}

/** Dense layers of a tfjs model as plain arrays for the JS forward pass. */
export function extractLayers(model: TfLayers.LayersModel): DenseLayer[] {
  return model.layers.map((layer) => {
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias || kernel.shape.length !== 2) throw new Error(`layer ${layer.name} is not a dense layer`);
    const config = layer.getConfig() as { activation?: string };
    const activation = config.activation === 'relu' || config.activation === 'tanh' ? config.activation : 'linear';
    return {
      kernel: Float32Array.from(kernel.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
      inputs: kernel.shape[0] as number,
      units: kernel.shape[1] as number,
      activation,
    };
  });
}

/** Loads plain dense weights into a tfjs model of the same shape. */
export function setLayers(tf: Tf, model: TfLayers.LayersModel, layers: readonly DenseLayer[]): void {
  if (layers.length !== model.layers.length) throw new Error('autoencoder weights do not match the network shape');
  tf.tidy(() => {
    model.layers.forEach((layer, index) => {
      const source = layers[index] as DenseLayer;
      layer.setWeights([tf.tensor2d(source.kernel, [source.inputs, source.units]), tf.tensor1d(source.bias)]);
    });
  });
}

export async function trainAutoencoder(
  inputs: Float32Array[],
  targets: Float32Array[],
  shape: AutoencoderShape,
  options: TrainOptions,
): Promise<TrainedAutoencoder> {
  if (inputs.length === 0) throw new Error('no training windows');
  const { tf, backend } = await loadTf(options.logger);
  // tfjs shuffles with Math.random; shuffle once here with a seeded generator instead.
  const order = inputs.map((_, index) => index);
  const random = seededRandom(options.seed);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const x = new Float32Array(inputs.length * shape.inputs);
  const y = new Float32Array(inputs.length * shape.outputs);
  order.forEach((source, row) => {
    x.set(inputs[source] as Float32Array, row * shape.inputs);
    y.set(targets[source] as Float32Array, row * shape.outputs);
  });
  const xs = tf.tensor2d(x, [inputs.length, shape.inputs]);
  const ys = tf.tensor2d(y, [inputs.length, shape.outputs]);
  const model = buildAutoencoder(tf, shape, options.seed);
  if (options.initial) setLayers(tf, model, options.initial);
  // model.dispose() leaves an optimizer it was given alone: Adam's moments would outlive each training
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  let loss = Number.NaN;
  try {
    await model.fit(xs, ys, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          loss = Number(logs?.loss ?? Number.NaN);
          options.onEpoch?.(epoch + 1, options.epochs, loss);
          // let scoring and I/O run between epochs
          await new Promise((resolve) => setImmediate(resolve));
        },
      },
    });
  } finally {
    xs.dispose();
    ys.dispose();
    optimizer.dispose();
  }
  return { layers: extractLayers(model), loss, backend, model };
}
