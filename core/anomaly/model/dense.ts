/**
 * Forward pass of a small dense network in plain JavaScript, from weights trained with tfjs.
 * For a net this small, per-reading scoring is far cheaper here than a tfjs call, and the
 * result does not depend on which tfjs backend trained it.
 */
export type Activation = 'relu' | 'tanh' | 'linear';

export interface DenseLayer {
  /** Row-major [inputs][units], as tfjs stores a dense kernel. */
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  activation: Activation;
}

export function forward(layers: readonly DenseLayer[], input: Float32Array): Float32Array {
  let current = input;
  for (const layer of layers) {
    const out = new Float32Array(layer.units);
    out.set(layer.bias);
    for (let i = 0; i < layer.inputs; i += 1) {
      const x = current[i] as number;
      if (x === 0) continue;
      const row = i * layer.units;
      for (let j = 0; j < layer.units; j += 1) out[j] = (out[j] as number) + x * (layer.kernel[row + j] as number);
    }
    if (layer.activation === 'relu') for (let j = 0; j < out.length; j += 1) out[j] = Math.max(0, out[j] as number);
    else if (layer.activation === 'tanh') for (let j = 0; j < out.length; j += 1) out[j] = Math.tanh(out[j] as number);
    current = out;
  }
  return current;
}

export function parameterCount(layers: readonly DenseLayer[]): number {
  return layers.reduce((sum, layer) => sum + layer.kernel.length + layer.bias.length, 0);
}
