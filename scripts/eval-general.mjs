#!/usr/bin/env node
// npm run eval -- --general: the general detector (kind other) beside a windowed Gaussian on the
// labelled public streams of test/data/general/<source>/ (or --data DIR), scored by
// core/anomaly/evaluation/general-windows.ts; a source folder with a HELD-OUT file (never tuned
// on) is reported apart. Options: --no-build, --json FILE.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const dist = process.env.STREAM_SMARTS_OUT ?? join(root, 'dist');
if (!args.includes('--no-build')) {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--keep-going'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const require = createRequire(import.meta.url);
const evaluation = require(join(dist, 'core', 'anomaly', 'evaluation', 'general-eval.js'));
const dataDir = flag('--data') ?? join(root, 'test', 'data', 'general');
if (!existsSync(dataDir)) {
  console.error(`eval --general: no data directory ${dataDir}`);
  process.exit(2);
}
const started = Date.now();
let series;
try {
  series = evaluation.loadLabelledSources(dataDir);
} catch (error) {
  console.error(`eval --general: ${error.message}`);
  process.exit(2);
}
const rows = evaluation.evaluateGeneral(series, [evaluation.generalProductDetector(), evaluation.windowedGaussianDetector()]);
const sources = [...new Set(series.map((one) => one.source))];
const heldOut = [...new Set(series.filter((one) => one.heldOut).map((one) => one.source))];
const tuned = sources.filter((source) => !heldOut.includes(source));
const heldOutText = heldOut.length > 0 ? `; held out, never tuned on: ${heldOut.join(', ')}` : '';
console.log(`Eval (general): ${series.length} series from ${sources.length} sources (tuned on: ${tuned.join(', ')}${heldOutText}); alert = a reading scored above 1, each outside the labelled windows a false alarm (NAB standard costs)`);
console.log('');
console.log(evaluation.formatGeneralEval(rows));
if (heldOut.length > 0) {
  console.log('');
  console.log(`The detector was tuned on ${tuned.join(', ')} (figures optimistic); ${heldOut.join(', ')} held out: never used to tune it.`);
}
console.log('');
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
const jsonOut = flag('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
