import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextAutoencoderShape, trainAutoencoder } from '../../../../../core/anomaly/model/autoencoder';
import { loadTf } from '../../../../../core/anomaly/model/backend';

test('a training leaves no tensors behind once its model is disposed (the worker retrains every series daily)', async () => {
  const { tf } = await loadTf();
  const window = 24;
  const shape = contextAutoencoderShape(window);
  const inputs: Float32Array[] = [];
  const targets: Float32Array[] = [];
  for (let row = 0; row < 128; row += 1) {
    inputs.push(Float32Array.from({ length: shape.inputs }, (_, i) => Math.sin(row + i)));
    targets.push(Float32Array.from({ length: shape.outputs }, (_, i) => Math.cos(row + i)));
  }
  const before = tf.memory().numTensors;
  for (let round = 0; round < 3; round += 1) {
    const trained = await trainAutoencoder(inputs, targets, shape, { seed: 7, epochs: 2, batchSize: 64, learningRate: 0.005 });
    trained.model.dispose();
    assert.equal(tf.memory().numTensors, before, `tensors left after training ${round + 1}`);
  }
});
