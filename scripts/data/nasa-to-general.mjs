#!/usr/bin/env node
// Converts channels of the NASA spacecraft telemetry of Hundman et al., KDD 2018 (SMAP, the Soil
// Moisture Active Passive satellite, and MSL, the Curiosity rover; github.com/khundman/telemanom)
// into univariate `ts,value,label` series for `npm run eval -- --general`
// (test/data/general/nasa/<spacecraft>_<channel>.csv.br: Brotli-compressed CSV; the eval reads it
// as it reads a .csv). A held-out source: the general detector was never tuned on it. Reproduce:
//
//   node scripts/data/nasa-to-general.mjs --telemanom <telemanom> --arrays <QuoVadisTAD> [--out DIR]
//
// <telemanom>: a clone (or bare git directory) of khundman/telemanom; the labels are its
// labeled_anomalies.csv (at HEAD; read at commit 2e6c5b6). <QuoVadisTAD>: a clone (or bare git
// directory) of ssarfraz/QuoVadisTAD with its history: the readings are the telemanom arrays
// (data.zip of s3-us-west-2.amazonaws.com/telemanom, as `np.load` reads them, not rescaled)
// that QuoVadisTAD stored as resources/processed_datasets/<spacecraft>/<channel>_{train,test}.npy
// (float64, rows x 25 for SMAP, rows x 55 for MSL; column 0 the telemetry value, the others
// command flags) in commits since removed: SMAP at 8c7b1d8, MSL at ae86a56. The original
// data.zip could not be read here. The converter checks each test array's row count against the
// `num_values` of labeled_anomalies.csv and that QuoVadisTAD's <channel>_labels.npy (made from the
// same labeled_anomalies.csv, end row exclusive) marks the same rows but the last of each sequence.
//
// The rule (fixed before any detector ran on these data):
// - channels: every row of labeled_anomalies.csv (SMAP and MSL) whose train and test arrays are in
//   the QuoVadisTAD copy (a channel listed twice, P-2, is one channel with the sequences of both rows),
//   keeping a channel when its telemetry value (column 0, rounded as below) takes at least 100
//   distinct values over train and test together: channels of a few levels (on/off flags, steps)
//   are not the continuous readings `kind: other` is for.
// - series: the whole train array, then the whole test array; one reading a minute from
//   2021-01-01T00:00Z (the arrays have no timestamps: a fixed step is assumed; the train and test
//   periods are not known to be contiguous, so the junction may hold a jump).
// - label: 1 at test row i when start <= i <= end for one of the channel's anomaly_sequences
//   [start, end] (0-based, end inclusive, as telemanom reads them); train rows 0 (unlabelled).
// - value: column 0 rounded to 6 decimals.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagValue, round6, writeBrotli } from './labelled-csv.mjs';

export const labelsCommit = '2e6c5b6c3558e7835601519b7bdef37c649bdbdc';
export const arraysCommit = { SMAP: '8c7b1d8f70c377e3a3a1793dad9e02b9f84d7035', MSL: 'ae86a56b622cbb4477e14c729787c02283c372da' };
export const minDistinct = 100;
export const startMs = Date.UTC(2021, 0, 1);
export const stepMs = 60_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A file of a clone or bare git directory at a commit (git show COMMIT:path); undefined when absent. */
function reader(dir) {
  const gitDir = existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
  return (commit, path) => {
    try {
      return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
}

/** A .npy file (format 1.x/2.x, little-endian float64): { rows, cols, at(i, j) }. */
export function readNpy(buffer) {
  if (buffer.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error('npy: bad magic');
  const major = buffer[6];
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = buffer.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (descr !== '<f8') throw new Error(`npy: dtype ${descr}, expected <f8`);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').filter((s) => s.trim()).map(Number);
  const [rows, cols = 1] = shape;
  const data = buffer.subarray(start);
  if (data.length !== rows * cols * 8) throw new Error(`npy: ${data.length} bytes for shape ${shape}`);
  return { rows, cols, at: (i, j) => data.readDoubleLE(8 * (fortran ? j * rows + i : i * cols + j)) };
}

/** labeled_anomalies.csv: Map channel -> { spacecraft, sequences: [[start, end], ...], numValues } (rows of one channel merged). */
export function parseLabels(text) {
  const channels = new Map();
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const match = /^([A-Z]-\d+),(SMAP|MSL),"(\[\[.*\]\])","?[^"]*"?,(\d+)$/.exec(line.trim());
    if (!match) throw new Error(`labeled_anomalies.csv: bad line ${line}`);
    const [, channel, spacecraft, sequences, numValues] = match;
    const parsed = JSON.parse(sequences);
    const known = channels.get(channel);
    if (known && (known.spacecraft !== spacecraft || known.numValues !== Number(numValues))) throw new Error(`${channel}: rows disagree`);
    channels.set(channel, { spacecraft, numValues: Number(numValues), sequences: [...(known?.sequences ?? []), ...parsed], rows: (known?.rows ?? 0) + 1 });
  }
  return channels;
}

function main() {
  const args = process.argv.slice(2);
  const flag = (name) => flagValue(args, name);
  const telemanomDir = flag('--telemanom');
  const arraysDir = flag('--arrays');
  if (!telemanomDir || !arraysDir) {
    console.error('usage: node scripts/data/nasa-to-general.mjs --telemanom <telemanom clone or git dir> --arrays <QuoVadisTAD clone or git dir> [--out DIR]');
    process.exit(2);
  }
  const out = flag('--out') ?? join(root, 'test', 'data', 'general', 'nasa');
  mkdirSync(out, { recursive: true });
  const telemanom = reader(telemanomDir);
  const arrays = reader(arraysDir);
  const labelsText = telemanom(labelsCommit, 'labeled_anomalies.csv');
  if (!labelsText) throw new Error(`labeled_anomalies.csv not found at ${labelsCommit}`);
  const channels = parseLabels(labelsText.toString('utf8'));
  let total = 0;
  let kept = 0;
  for (const [channel, { spacecraft, numValues, sequences, rows }] of channels) {
    const commit = arraysCommit[spacecraft];
    const base = `resources/processed_datasets/${spacecraft}/${channel}`;
    const trainFile = arrays(commit, `${base}_train.npy`);
    const testFile = arrays(commit, `${base}_test.npy`);
    if (!trainFile || !testFile) {
      console.log(`${spacecraft} ${channel}: arrays not in the copy, skipped`);
      continue;
    }
    const train = readNpy(trainFile);
    const test = readNpy(testFile);
    if (test.rows !== numValues) throw new Error(`${channel}: ${test.rows} test rows, labeled_anomalies.csv says ${numValues}`);
    if (train.cols !== test.cols || train.cols !== (spacecraft === 'SMAP' ? 25 : 55)) throw new Error(`${channel}: ${train.cols}/${test.cols} columns`);
    const label = (i) => (sequences.some(([start, end]) => start <= i && i <= end) ? 1 : 0);
    const copyLabels = arrays(commit, `${base}_labels.npy`);
    if (copyLabels) {
      const copy = readNpy(copyLabels);
      const ends = new Set(sequences.map(([, end]) => end));
      let differ = 0;
      for (let i = 0; i < test.rows; i += 1) if (copy.at(i, 0) !== label(i) && !(label(i) === 1 && ends.has(i) && copy.at(i, 0) === 0)) differ += 1;
      // QuoVadisTAD takes the first row of a channel listed twice (P-2): its labels lack the second row's sequences.
      if (differ > 0 && rows === 1) throw new Error(`${channel}: ${differ} test rows labelled otherwise in the copy`);
      if (differ > 0) console.log(`${channel}: listed ${rows} times; the copy labels only the first row's sequences (${differ} rows differ)`);
    }
    const values = [];
    for (let i = 0; i < train.rows; i += 1) values.push(round6(train.at(i, 0)));
    for (let i = 0; i < test.rows; i += 1) values.push(round6(test.at(i, 0)));
    const distinct = new Set(values).size;
    if (distinct < minDistinct) {
      console.log(`${spacecraft} ${channel}: ${distinct} distinct values (< ${minDistinct}), skipped`);
      continue;
    }
    const lines = ['ts,value,label'];
    let anomalous = 0;
    for (let i = 0; i < values.length; i += 1) {
      const testRow = i - train.rows;
      const one = testRow >= 0 ? label(testRow) : 0;
      anomalous += one;
      lines.push(`${startMs + i * stepMs},${values[i]},${one}`);
    }
    const file = `${spacecraft.toLowerCase()}_${channel}.csv.br`;
    const text = Buffer.from(`${lines.join('\n')}\n`);
    const compressed = writeBrotli(join(out, file), text);
    total += compressed;
    kept += 1;
    console.log(`${file}: ${values.length} rows (${train.rows} train + ${test.rows} test), ${distinct} distinct values, ${sequences.length} sequences, ${anomalous} rows labelled 1, ${text.length} bytes, ${compressed} compressed`);
  }
  console.log(`${kept} series, ${total} bytes in all`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
