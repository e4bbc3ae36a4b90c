#!/usr/bin/env node
// Converts a few machines of the Server Machine Dataset (SMD, github.com/NetManAIOps/OmniAnomaly,
// ServerMachineDataset/) into univariate `ts,value,label` series for `npm run eval -- --general`
// (test/data/general/smd/<machine>_ch<channel>.csv.br: Brotli-compressed CSV, to keep the
// data small; the eval reads it as it reads a .csv). The held-out source:
// the general detector was never tuned on it. Reproduce:
//
//   node scripts/data/smd-to-general.mjs --omni <OmniAnomaly> --arrays <MST-VAE> [--out DIR]
//
// <OmniAnomaly>: a clone (or bare git directory) of NetManAIOps/OmniAnomaly; labels come from its
// ServerMachineDataset/test_label/ and interpretation_label/. <MST-VAE>: a clone (or bare git
// directory) of tuananhphamds/MST-VAE, whose data/processed/<machine>_{train,test}.pkl are SMD's
// train/test readings as float32 numpy arrays (as OmniAnomaly's data_preprocess.py writes them);
// they are used because the original text files (over 4 MiB each) could not be copied here. The converter checks that
// each array has the row count of OmniAnomaly's test_label and that MST-VAE's test labels equal it.
//
// The rule (fixed before any detector ran on these data):
// - machines: the first three of each group machine-1-*, machine-2-*, machine-3-*, in SMD's
//   numbering, whose train and test arrays are in the MST-VAE copy. machine-1-1 and machine-3-1
//   are not (their files are over the 4 MiB a copy here may hold), so: machine-1-2, 1-3, 1-4,
//   2-1, 2-2, 2-3, 3-2, 3-3, 3-4.
// - channels: for each machine, the two channels (1-based, as interpretation_label numbers them)
//   listed in the most interpretation_label segments, ties to the lower number, skipping a channel
//   that is constant over the rows kept.
// - series: the last 3,000 train rows (anomaly-free) then the whole test part, one reading a
//   minute from 2021-01-01T00:00Z (SMD has no timestamps; train and test are consecutive halves).
// - label: 1 at test row i when test_label[i] is 1 and i lies in a segment start-end
//   (start <= i < end, 0-based; this is how the segments match test_label) that lists the channel.
// - value: the float32 reading rounded to 6 decimals (SMD's text files have 6).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagValue, round6, writeBrotli } from './labelled-csv.mjs';

export const machines = ['machine-1-2', 'machine-1-3', 'machine-1-4', 'machine-2-1', 'machine-2-2', 'machine-2-3', 'machine-3-2', 'machine-3-3', 'machine-3-4'];
export const channelsPerMachine = 2;
export const trainRows = 3000;
export const startMs = Date.UTC(2021, 0, 1);
export const stepMs = 60_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A file of a clone or of a bare git directory (read with git show HEAD:path). */
function reader(dir) {
  const bare = !existsSync(join(dir, '.git')) && existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'));
  return (path) => (bare ? execFileSync('git', ['--git-dir', dir, 'show', `HEAD:${path}`], { maxBuffer: 64 << 20 }) : readFileSync(join(dir, path)));
}

/**
 * The numpy array of a pickle (protocol 2-4, as numpy.ndarray pickles itself): only the opcodes
 * such a pickle holds. Returns { rows, cols, columns } (columns[j][i]: row i of column j).
 */
export function readNumpyPickle(buffer) {
  const stack = [];
  const marks = [];
  const memo = [];
  let at = 0;
  const u8 = () => buffer[at++];
  const take = (n) => {
    const part = buffer.subarray(at, at + n);
    at += n;
    return part;
  };
  for (;;) {
    const op = String.fromCharCode(u8());
    switch (op) {
      case '\x80': u8(); break; // PROTO
      case '\x95': at += 8; break; // FRAME
      case '\x8c': stack.push(take(u8()).toString('utf8')); break; // SHORT_BINUNICODE
      case 'X': { const n = buffer.readUInt32LE(at); at += 4; stack.push(take(n).toString('utf8')); break; } // BINUNICODE
      case '\x94': memo.push(stack.at(-1)); break; // MEMOIZE
      case 'q': memo[u8()] = stack.at(-1); break; // BINPUT
      case 'r': memo[buffer.readUInt32LE(at)] = stack.at(-1); at += 4; break; // LONG_BINPUT
      case 'h': stack.push(memo[u8()]); break; // BINGET
      case 'j': stack.push(memo[buffer.readUInt32LE(at)]); at += 4; break; // LONG_BINGET
      case '\x93': { const name = stack.pop(); const module = stack.pop(); stack.push({ global: `${module}.${name}` }); break; } // STACK_GLOBAL
      case 'c': { // GLOBAL
        const end1 = buffer.indexOf(10, at); const module = buffer.subarray(at, end1).toString(); at = end1 + 1;
        const end2 = buffer.indexOf(10, at); const name = buffer.subarray(at, end2).toString(); at = end2 + 1;
        stack.push({ global: `${module}.${name}` });
        break;
      }
      case 'K': stack.push(u8()); break; // BININT1
      case 'M': stack.push(buffer.readUInt16LE(at)); at += 2; break; // BININT2
      case 'J': stack.push(buffer.readInt32LE(at)); at += 4; break; // BININT
      case 'N': stack.push(null); break;
      case '\x88': stack.push(true); break;
      case '\x89': stack.push(false); break;
      case '(': marks.push(stack.length); break; // MARK
      case 't': { const from = marks.pop(); stack.push(stack.splice(from)); break; } // TUPLE
      case ')': stack.push([]); break; // EMPTY_TUPLE
      case '\x85': stack.push([stack.pop()]); break; // TUPLE1
      case '\x86': { const b = stack.pop(); const a = stack.pop(); stack.push([a, b]); break; } // TUPLE2
      case '\x87': { const c = stack.pop(); const b = stack.pop(); const a = stack.pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 'C': stack.push(take(u8())); break; // SHORT_BINBYTES
      case 'B': { const n = buffer.readUInt32LE(at); at += 4; stack.push(take(n)); break; } // BINBYTES
      case 'U': stack.push(take(u8())); break; // SHORT_BINSTRING (python 2 bytes)
      case 'T': { const n = buffer.readUInt32LE(at); at += 4; stack.push(take(n)); break; } // BINSTRING
      case 'R': { const args = stack.pop(); const fn = stack.pop(); stack.push({ call: fn.global, args }); break; } // REDUCE
      case 'b': { const state = stack.pop(); stack.at(-1).state = state; break; } // BUILD
      case '.': return arrayOf(stack.pop()); // STOP
      default: throw new Error(`pickle: opcode 0x${op.charCodeAt(0).toString(16)} at ${at - 1} not handled`);
    }
  }
}

function arrayOf(object) {
  if (!object || !/_reconstruct$/.test(object.call) || !Array.isArray(object.state)) throw new Error('pickle: not a numpy array');
  const [, shape, dtype, fortran, raw] = object.state;
  if (dtype?.args?.[0] !== 'f4' || dtype.state?.[1] !== '<') throw new Error(`pickle: dtype ${JSON.stringify(dtype?.args)} ${JSON.stringify(dtype?.state)}, expected little-endian f4`);
  const [rows, cols = 1] = shape;
  if (raw.length !== rows * cols * 4) throw new Error(`pickle: ${raw.length} bytes for shape ${shape}`);
  const columns = [];
  for (let j = 0; j < cols; j += 1) {
    const column = new Array(rows);
    for (let i = 0; i < rows; i += 1) column[i] = raw.readFloatLE(4 * (fortran ? j * rows + i : i * cols + j));
    columns.push(column);
  }
  return { rows, cols, columns };
}

/** interpretation_label lines `start-end:c1,c2,...` */
export function parseSegments(text) {
  return text.trim().split(/\r?\n/).filter(Boolean).map((line) => {
    const match = /^(\d+)-(\d+):([\d,]+)$/.exec(line.trim());
    if (!match) throw new Error(`interpretation_label: bad line ${line}`);
    return { start: Number(match[1]), end: Number(match[2]), channels: match[3].split(',').map(Number) };
  });
}

/** The channels by the rule: most segments first, ties to the lower number, constant ones skipped. */
export function chooseChannels(segments, isConstant, count = channelsPerMachine) {
  const listed = new Map();
  for (const segment of segments) for (const channel of segment.channels) listed.set(channel, (listed.get(channel) ?? 0) + 1);
  return [...listed.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .filter(([channel]) => !isConstant(channel))
    .slice(0, count)
    .map(([channel, segmentsListing]) => ({ channel, segments: segmentsListing }));
}

function main() {
  const args = process.argv.slice(2);
  const flag = (name) => flagValue(args, name);
  const omniDir = flag('--omni');
  const arraysDir = flag('--arrays');
  if (!omniDir || !arraysDir) {
    console.error('usage: node scripts/data/smd-to-general.mjs --omni <OmniAnomaly clone or git dir> --arrays <MST-VAE clone or git dir> [--out DIR]');
    process.exit(2);
  }
  const out = flag('--out') ?? join(root, 'test', 'data', 'general', 'smd');
  mkdirSync(out, { recursive: true });
  const omni = reader(omniDir);
  const arrays = reader(arraysDir);
  let total = 0;
  for (const machine of machines) {
    const testLabel = omni(`ServerMachineDataset/test_label/${machine}.txt`).toString('utf8').trim().split(/\r?\n/).map(Number);
    const segments = parseSegments(omni(`ServerMachineDataset/interpretation_label/${machine}.txt`).toString('utf8'));
    const train = readNumpyPickle(arrays(`data/processed/${machine}_train.pkl`));
    const test = readNumpyPickle(arrays(`data/processed/${machine}_test.pkl`));
    const copyLabel = readNumpyPickle(arrays(`data/processed/${machine}_test_label.pkl`)).columns[0];
    if (test.rows !== testLabel.length) throw new Error(`${machine}: ${test.rows} test rows, test_label has ${testLabel.length}`);
    if (copyLabel.some((value, i) => value !== testLabel[i])) throw new Error(`${machine}: the copy's test labels differ from OmniAnomaly's test_label`);
    if (train.cols !== 38 || test.cols !== 38) throw new Error(`${machine}: ${train.cols}/${test.cols} channels, expected 38`);
    // A few segment rows are 0 in test_label (machine-2-3: 7910-8010 ends at 8001 there): such rows stay 0.
    const outside = segments.reduce((sum, s) => sum + testLabel.slice(s.start, s.end).filter((value) => value !== 1).length, 0);
    if (outside > 0) console.log(`${machine}: ${outside} segment rows are 0 in test_label (kept 0)`);
    const kept = (channel) => [...train.columns[channel - 1].slice(-trainRows), ...test.columns[channel - 1]];
    const isConstant = (channel) => new Set(kept(channel).map(round6)).size < 2;
    for (const { channel, segments: listing } of chooseChannels(segments, isConstant)) {
      const values = kept(channel);
      const lines = ['ts,value,label'];
      let anomalous = 0;
      for (let i = 0; i < values.length; i += 1) {
        const testRow = i - Math.min(trainRows, train.rows);
        const label = testRow >= 0 && testLabel[testRow] === 1 && segments.some((s) => s.channels.includes(channel) && s.start <= testRow && testRow < s.end) ? 1 : 0;
        anomalous += label;
        lines.push(`${startMs + i * stepMs},${round6(values[i])},${label}`);
      }
      const file = `${machine}_ch${channel}.csv.br`;
      const text = Buffer.from(`${lines.join('\n')}\n`);
      const compressed = writeBrotli(join(out, file), text);
      total += compressed;
      console.log(`${file}: ${values.length} rows (${Math.min(trainRows, train.rows)} train + ${test.rows} test), channel ${channel} listed in ${listing}/${segments.length} segments, ${anomalous} rows labelled 1, ${text.length} bytes, ${compressed} compressed`);
    }
  }
  console.log(`${total} bytes in all`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
