/**
 * npm run bench anomaly: scoring throughput (single and batched), detect rows/s, training on a
 * year of hourly data (selected backend and cpu), memory per loaded model. Prints figures only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadTf } from '../../core/anomaly/model/backend';
import { contextInput } from '../../core/anomaly/model/home-model';
import { HomeScorer, type HomeModelParams } from '../../core/anomaly/model/home-model';
import { buildAutoencoder, setLayers } from '../../core/anomaly/model/autoencoder';
import { SeriesDetector } from '../../core/anomaly/scoring/series-detector';
import { trainSeries } from '../../core/anomaly/training/train-series';
import { main } from '../../core/cli/main';
import type { Reading } from '../../core/reading';
import { home, uciHome } from '../unit/core/anomaly/fixtures';
import { hourMs } from '../../core/units';

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function trainYear(): Promise<{ ms: number; backend: string; params: HomeModelParams }> {
  const series = home(uciHome, 400);
  const year = series.rows.slice(-8760);
  const start = performance.now();
  const result = await trainSeries(year, { kind: 'energy', unit: 'kWh', intervalS: 3600 });
  return { ms: performance.now() - start, backend: result.report.backend ?? 'none', params: result.params };
}

async function benchmark(): Promise<void> {
  const { backend } = await loadTf();
  console.log(`tfjs backend: ${backend} (tfjs-node ${backend === 'tensorflow' ? 'loaded' : 'not installed'})`);

  const trained = await trainYear();
  console.log(`train: a year of hourly data (8760 points, UCI home): ${(trained.ms / 1000).toFixed(1)} s on ${trained.backend}`);
  const cpu = spawnSync(process.execPath, [__filename, '--train-only'], { env: { ...process.env, STREAM_SMARTS_TF_BACKEND: 'cpu' }, encoding: 'utf8' });
  console.log((cpu.stdout || cpu.stderr).trim());

  const params = trained.params;
  const rows = home(uciHome, 800).rows.filter((row) => !row.artefact);
  const points = rows.map((row) => ({ ts: row.ts, rate: row.value * 1000 }));

  // Single: one reading at a time through the model (JS forward pass of the tfjs-trained weights).
  let start = performance.now();
  let n = 0;
  for (let pass = 0; pass < 5; pass += 1) {
    const scorer = new HomeScorer(params);
    for (const point of points) {
      scorer.score(point);
      n += 1;
    }
  }
  console.log(`score single (HomeScorer, 1 reading per call): ${rate(n, performance.now() - start)} (${n} readings)`);

  const detector = new SeriesDetector({ entityId: 'bench', model: params, fit: { readingKind: 'energy' } });
  const readings: Reading[] = rows.map((row) => ({ entity_id: 'bench', ts: row.ts, value: row.value, unit: 'kWh', kind: 'energy', hour: new Date(row.ts).getHours(), interval_s: 3600 }));
  start = performance.now();
  for (const reading of readings) detector.score(reading);
  console.log(`score single (full ScoredReading with expected/explanation): ${rate(readings.length, performance.now() - start)}`);

  // Batched: the autoencoder with tfjs predict on the selected backend, in chunks (one 100k-row
  // tensor is far slower on wasm than chunks of 1-10k), and the JS forward pass over a whole array.
  const layers = params.autoencoder;
  if (layers) {
    for (const chunk of [1024, 10_000]) console.log(`score batched (tfjs predict on ${backend}, 100000 readings in batches of ${chunk}): ${await predictRate(params, 100_000, chunk)}`);
    const scorerBatch = new HomeScorer(params);
    start = performance.now();
    for (const point of points) scorerBatch.step(point);
    console.log(`score batched (JS forward pass, whole year array, one core): ${rate(points.length, performance.now() - start)}`);
  }

  // detect: the CLI end to end on two years of hourly data, learning online.
  const dir = await mkdtemp(join(tmpdir(), 'bench-detect-'));
  const lines = rows.slice(0, 2 * 8760).map((row) => `${row.ts},${row.value.toFixed(4)}`);
  await writeFile(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
  const sink = () => ({ stdin: new PassThrough(), stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
  start = performance.now();
  await main(['detect', '--input', join(dir, 'in.csv'), '--output', join(dir, 'out.csv'), '--kind', 'energy', '--unit', 'kWh'], sink());
  console.log(`detect: ${lines.length} rows (2 years hourly, learning online, retrain every 7 days): ${rate(lines.length, performance.now() - start)}`);
  await rm(dir, { recursive: true, force: true });

  // Memory per loaded model: many copies of the trained parameters held by scorers.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const held: HomeScorer[] = [];
  for (let i = 0; i < 200; i += 1) held.push(new HomeScorer(JSON.parse(JSON.stringify({ ...params, autoencoder: null })) as HomeModelParams));
  for (const s of held) (s.params as HomeModelParams).autoencoder = layers?.map((layer) => ({ ...layer, kernel: layer.kernel.slice(), bias: layer.bias.slice() })) ?? null;
  gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log(`memory per loaded model: ${((after - before) / held.length / 1024).toFixed(1)} KiB (200 models held${gc ? '' : ', no --expose-gc'})`);
}

/** tfjs predict of the autoencoder over batches, in chunks of `chunk` rows. */
async function predictRate(params: HomeModelParams, total: number, chunk: number): Promise<string> {
  const { tf } = await loadTf();
  const layers = params.autoencoder;
  if (!layers) return 'no autoencoder';
  const width = params.window + 3;
  const model = buildAutoencoder(tf, { inputs: width, outputs: params.window, hidden: 16, bottleneck: 4 }, 1);
  setLayers(tf, model, layers);
  const data = new Float32Array(chunk * width);
  for (let i = 0; i < chunk; i += 1) data.set(contextInput(new Array<number>(params.window).fill(0.5), i * hourMs, params.window), i * width);
  const input = tf.tensor2d(data, [chunk, width]);
  (model.predict(input) as import('@tensorflow/tfjs-core').Tensor).dispose();
  const start = performance.now();
  for (let done = 0; done < total; done += chunk) {
    const out = model.predict(input) as import('@tensorflow/tfjs-core').Tensor;
    await out.data();
    out.dispose();
  }
  const figure = rate(total, performance.now() - start);
  input.dispose();
  model.dispose();
  return figure;
}

if (process.argv.includes('--train-only')) {
  trainYear().then(
    async (result) => {
      console.log(`train: a year of hourly data on the ${result.backend} backend (forced): ${(result.ms / 1000).toFixed(1)} s`);
      console.log(`score batched (tfjs predict on ${result.backend}, 100000 readings in batches of 10000): ${await predictRate(result.params, 100_000, 10_000)}`);
    },
    (error: unknown) => console.log(`train on cpu failed: ${String(error)}`),
  );
} else {
  benchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
