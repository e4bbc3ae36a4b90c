#!/usr/bin/env node
/* global fetch, AbortSignal */
// The soak (issue 16 item 6), not part of npm test: N minutes at R readings/s through a real
// Node-RED flow (a meter-like generator → Kafka out → the worker → Kafka in → a sink) and the
// worker CLI, against a private Kafka broker of its own (or --brokers). Every 10 s each process
// samples its RSS, heap used, heap used after the latest full (mark-sweep) GC and event-loop lag
// (a --require probe, no change to the product); the script writes samples.csv, counts.csv,
// soak.svg (a line chart) and summary.json, with the linear-trend slopes per hour over the whole
// period after the warm-up and over its second half. Heap used between collections is mostly
// garbage waiting for the next one; the heap after a full GC is what is live.
//
//   node scripts/build.mjs && node scripts/soak.mjs [--minutes 30] [--rate 100] [--series 100]
//                                                 [--out DIR] [--brokers H:P] [--sample-seconds 10]
//                                                 [--warmup-seconds S (default 300, a fifth of shorter runs)]
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '100' },
    series: { type: 'string', default: '100' },
    out: { type: 'string' },
    brokers: { type: 'string' },
    'sample-seconds': { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const series = Number(values.series);
const sampleMs = Number(values['sample-seconds']) * 1000;
for (const [name, value] of [['--minutes', minutes], ['--rate', rate], ['--series', series], ['--sample-seconds', sampleMs]]) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: ${name} must be a positive number`);
    process.exit(2);
  }
}
if (values['warmup-seconds'] !== undefined && !(Number(values['warmup-seconds']) >= 0)) {
  console.error('soak: --warmup-seconds must be a number of seconds (0 or more)');
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'nodes'))) {
  console.error('soak: dist/ is missing; run node scripts/build.mjs first');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = values.out ?? join(tmpdir(), `stream-smarts-soak-${stamp}`);
mkdirSync(out, { recursive: true });
const log = (line) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// --- the broker: a private one (scripts/stack/kafka.sh in a directory of its own) unless given
const kafkaDir = values.brokers ? undefined : mkdtempSync(join(tmpdir(), 'smarts-soak-kafka-'));
function kafkaScript(action, ports) {
  const result = spawnSync('bash', [join(root, 'scripts', 'stack', 'kafka.sh'), action], {
    stdio: 'inherit',
    env: { ...process.env, STACK_DIR: kafkaDir, KAFKA_PORT: String(ports.port), KAFKA_CONTROLLER_PORT: String(ports.controller), KAFKA_SASL_PORT: String(ports.sasl) },
  });
  if (result.status !== 0 && action === 'start') throw new Error(`kafka.sh start failed (${result.status})`);
}
let kafkaPorts;
let brokers;
if (values.brokers) {
  brokers = values.brokers.split(',');
} else {
  kafkaPorts = { port: await freePort(), controller: await freePort(), sasl: await freePort() };
  log(`starting a private Kafka on 127.0.0.1:${kafkaPorts.port} (${kafkaDir})`);
  kafkaScript('start', kafkaPorts);
  brokers = [`127.0.0.1:${kafkaPorts.port}`];
}

const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ brokers, clientId: 'soak', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const inTopic = `soak-readings-${Date.now()}`;
const scoredTopic = `soak-scored-${Date.now()}`;
const nodeRedGroup = `soak-node-red-${Date.now()}`;
const workerGroup = `soak-worker-${Date.now()}`;
await admin.createTopics({ topics: [{ topic: inTopic, numPartitions: 4 }, { topic: scoredTopic, numPartitions: 4 }], waitForLeaders: true });

// --- the probe each process loads with --require
const probe = join(out, 'probe.cjs');
writeFileSync(
  probe,
  `'use strict';
const { monitorEventLoopDelay, PerformanceObserver, constants } = require('node:perf_hooks');
const { appendFileSync } = require('node:fs');
const file = process.env.SOAK_PROBE_FILE;
if (file) {
  let afterGc = null;
  let fullGcs = 0;
  // read as the runtime reports the collection, a moment after it: near enough to what survived
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      fullGcs += 1;
      afterGc = process.memoryUsage().heapUsed;
    }
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  // The histogram records each 10 ms timer's whole delay: the lag is what exceeds the 10 ms.
  const beyond = (nanoseconds) => Math.max(0, nanoseconds / 1e6 - 10);
  delay.enable();
  const sample = () => {
    const memory = process.memoryUsage();
    appendFileSync(file, JSON.stringify({ t: Date.now(), rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal,
      external: memory.external, arrayBuffers: memory.arrayBuffers, heapAfterGc: afterGc, fullGcs, lagMean: beyond(delay.mean), lagP99: beyond(delay.percentile(99)), lagMax: beyond(delay.max) }) + '\\n');
    delay.reset();
  };
  setInterval(sample, ${sampleMs}).unref();
}
`,
);

const children = [];
function startProcess(name, args, extraEnv = {}) {
  const probeFile = join(out, `${name}.probe.jsonl`);
  writeFileSync(probeFile, '');
  const logFile = join(out, `${name}.log`);
  writeFileSync(logFile, '');
  const child = spawn(process.execPath, ['--require', probe, ...args], {
    cwd: root,
    env: { ...process.env, ...extraEnv, SOAK_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => appendFileSync(logFile, chunk);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => log(`${name} exited (${signal ?? code})`));
  children.push(child);
  return { child, probeFile, logFile };
}

// --- Node-RED with the flow
const userDir = mkdtempSync(join(tmpdir(), 'smarts-soak-node-red-'));
const uiPort = await freePort();
const ticksPerSecond = 10;
const perTick = Math.max(1, Math.round(rate / ticksPerSecond));
const start = Date.UTC(2025, 0, 1);
// Paced by the clock, not by the tick count: ticks drift, the rate must not.
const generate = `
const n = context.get('n') || 0;
const t0 = context.get('t0') || Date.now();
context.set('t0', t0);
const due = Math.floor(((Date.now() - t0) * ${rate}) / 1000) + ${perTick} - n;
for (let i = 0; i < due; i += 1) {
  const k = n + i;
  const meter = k % ${series};
  const ts = ${start} + Math.floor(k / ${series}) * 3600000;
  const hour = new Date(ts).getUTCHours();
  const base = hour >= 7 && hour <= 22 ? 0.6 : 0.25;
  node.send({ payload: { entity_id: 'sensor.soak_' + meter, ts, value: Math.round((base + Math.random() * 0.2) * 1000) / 1000, unit: 'kWh', kind: 'energy', hour, interval_s: 3600 } });
}
context.set('n', n + Math.max(0, due));
return null;`;
const flows = [
  { id: 'soak_tab', type: 'tab', label: 'soak' },
  { id: 'soak_broker', type: 'smarts-kafka-broker', name: 'soak broker', brokers: brokers.join(',') },
  { id: 'soak_tick', type: 'inject', z: 'soak_tab', name: 'tick', props: [], repeat: String(1 / ticksPerSecond), once: true, onceDelay: '1', x: 100, y: 100, wires: [['soak_meter']] },
  { id: 'soak_meter', type: 'function', z: 'soak_tab', name: 'meter-like readings', func: generate, outputs: 1, x: 300, y: 100, wires: [['soak_out']] },
  { id: 'soak_out', type: 'smarts-kafka-out', z: 'soak_tab', name: 'readings', broker: 'soak_broker', topic: inTopic, key: '', format: 'json', bufferCount: 10000, bufferMegabytes: 16, x: 500, y: 100, wires: [[]] },
  { id: 'soak_in', type: 'smarts-kafka-in', z: 'soak_tab', name: 'scored', broker: 'soak_broker', topics: scoredTopic, groupId: nodeRedGroup, fromBeginning: true, format: 'json', maxInFlight: 16, ackMode: 'flow', deadLetterTopic: '', x: 100, y: 200, wires: [['soak_sink']] },
  { id: 'soak_sink', type: 'function', z: 'soak_tab', name: 'alerts only', func: "context.set('seen', (context.get('seen') || 0) + 1); if (msg.payload && msg.payload.anomaly) { context.set('alerts', (context.get('alerts') || 0) + 1); } return null;", outputs: 1, x: 300, y: 200, wires: [[]] },
];
writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify({ uiHost: '127.0.0.1', uiPort, flowFile: 'flows.json', nodesDir: [join(root, 'dist', 'nodes')], logging: { console: { level: 'warn' } } })};\n`);
const redJs = join(dirname(require.resolve('node-red/package.json')), 'red.js');

const worker = startProcess('worker', [join(root, 'bin', 'stream-smarts.js'), 'worker', '--brokers', brokers.join(','), '--in', inTopic, '--out', scoredTopic, '--group', workerGroup, '--from-beginning']);
const nodeRed = startProcess('node-red', [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')]);

async function sum(topic) {
  return (await admin.fetchTopicOffsets(topic)).reduce((total, partition) => total + Number(partition.high), 0);
}
/** A count the sink keeps in its node context, read through Node-RED's admin API (null if unreadable). */
async function sinkCount(key) {
  try {
    const response = await fetch(`http://127.0.0.1:${uiPort}/context/node/soak_sink/${key}`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return null;
    const found = (value) => (value && typeof value === 'object' ? ('msg' in value ? Number(value.msg) : Object.values(value).map(found).find((n) => n !== null) ?? null) : null);
    const count = found(await response.json());
    return Number.isFinite(count) ? count : 0;
  } catch {
    return null;
  }
}
async function committed(groupId, topic) {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return entry.partitions.reduce((total, partition) => total + Math.max(0, Number(partition.offset)), 0);
}
const countsFile = join(out, 'counts.csv');
// Offsets count records and, on the scored topic, the worker's transaction markers too: `sink` is
// what the flow's sink received, counted by itself.
writeFileSync(countsFile, 'elapsed_s,sent,scored_topic_end_offsets,node_red_committed_offsets,sink_received,sink_alerts\n');
const began = Date.now();
const counts = [];
let stopped = false;
let failure = '';
process.on('SIGINT', () => (failure ||= 'interrupted (SIGINT)'));
for (const { child } of [worker, nodeRed]) child.on('exit', () => { if (!stopped) failure ||= 'a process exited during the soak'; });
log(`soaking for ${minutes} min at ${rate} readings/s over ${series} meters; output in ${out}`);
while (Date.now() - began < minutes * 60_000 && !failure) {
  await sleep(sampleMs);
  try {
    const row = { elapsed: Math.round((Date.now() - began) / 1000), sent: await sum(inTopic), scored: await sum(scoredTopic), delivered: await committed(nodeRedGroup, scoredTopic), sink: await sinkCount('seen'), alerts: await sinkCount('alerts') };
    counts.push(row);
    appendFileSync(countsFile, `${row.elapsed},${row.sent},${row.scored},${row.delivered},${row.sink ?? ''},${row.alerts ?? ''}\n`);
    if (row.elapsed % 60 < sampleMs / 1000) log(`${row.elapsed} s: sent ${row.sent}, back in the flow's sink ${row.sink ?? '?'} (scored topic end offsets ${row.scored}, with transaction markers)`);
  } catch (error) {
    log(`counting failed: ${error.message}`);
  }
}
stopped = true;
const sinkAtStop = { elapsed: Math.round((Date.now() - began) / 1000), sent: await sum(inTopic).catch(() => null), sink: await sinkCount('seen'), alerts: await sinkCount('alerts') };

// --- stop everything, then write the results
for (const { child } of [nodeRed, worker]) child.kill('SIGINT');
await Promise.all([nodeRed, worker].map(({ child }) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)))));
await admin.disconnect();
if (kafkaDir) {
  kafkaScript('stop', kafkaPorts);
  rmSync(kafkaDir, { recursive: true, force: true });
}
rmSync(userDir, { recursive: true, force: true });

const mb = (bytes) => bytes / 1048576;
const samples = {};
const samplesFile = join(out, 'samples.csv');
writeFileSync(samplesFile, 'elapsed_s,process,rss_mb,heap_used_mb,heap_total_mb,external_mb,array_buffers_mb,heap_after_full_gc_mb,full_gcs,lag_mean_ms,lag_p99_ms,lag_max_ms\n');
for (const [name, { probeFile }] of [['node-red', nodeRed], ['worker', worker]]) {
  samples[name] = readFileSync(probeFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).map((s) => ({ ...s, elapsed: (s.t - began) / 1000 })).filter((s) => s.elapsed >= 0);
  for (const s of samples[name]) {
    const afterGc = s.heapAfterGc === null ? '' : mb(s.heapAfterGc).toFixed(2);
    appendFileSync(samplesFile, [s.elapsed.toFixed(0), name, mb(s.rss).toFixed(2), mb(s.heapUsed).toFixed(2), mb(s.heapTotal).toFixed(2), mb(s.external ?? NaN).toFixed(2), mb(s.arrayBuffers ?? NaN).toFixed(2), afterGc, s.fullGcs, s.lagMean.toFixed(2), s.lagP99.toFixed(2), s.lagMax.toFixed(2)].join(',') + '\n');
  }
}

/** Least-squares slope of y over x (x in hours): units of y per hour. */
function slopePerHour(points) {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}
const warmupS = values['warmup-seconds'] !== undefined ? Number(values['warmup-seconds']) : Math.min(300, (minutes * 60) / 5);
const endS = Math.max(warmupS, ...Object.values(samples).flat().map((s) => s.elapsed));
const secondHalfS = (warmupS + endS) / 2;
// each meter's history gains rate/series readings (simulated hours) a second; it holds 92 days at most
const historyFullS = Math.ceil((92 * 24 * series) / rate);
const summary = { minutes, rate, series, brokers, out, warmup_s: warmupS, second_half_from_s: Math.round(secondHalfS), histories_full_at_s: historyFullS, processes: {} };
for (const [name, list] of Object.entries(samples)) {
  const steady = list.filter((s) => s.elapsed >= warmupS);
  const stat = (values) => ({ first: values[0], last: values[values.length - 1], min: Math.min(...values), max: Math.max(...values) });
  const slopes = (from) => {
    const points = (key) => steady.filter((s) => s.elapsed >= from && s[key] !== null).map((s) => ({ x: s.elapsed / 3600, y: mb(s[key]) }));
    return { rss: +slopePerHour(points('rss')).toFixed(2), heap_used: +slopePerHour(points('heapUsed')).toFixed(2), heap_after_full_gc: +slopePerHour(points('heapAfterGc')).toFixed(2) };
  };
  const withGc = steady.filter((s) => s.heapAfterGc !== null);
  const lastFullGcs = steady[steady.length - 1]?.fullGcs ?? 0;
  summary.processes[name] = {
    samples: list.length,
    rss_mb: stat(steady.map((s) => +mb(s.rss).toFixed(1))),
    heap_used_mb: stat(steady.map((s) => +mb(s.heapUsed).toFixed(1))),
    heap_after_full_gc_mb: withGc.length > 0 ? stat(withGc.map((s) => +mb(s.heapAfterGc).toFixed(1))) : null,
    full_gcs_after_warmup: lastFullGcs - (steady[0]?.fullGcs ?? 0),
    slope_mb_per_hour_after_warmup: slopes(warmupS),
    slope_mb_per_hour_second_half: slopes(secondHalfS),
    lag_p99_ms: { ...stat(steady.map((s) => +s.lagP99.toFixed(1))), median: +median(steady.map((s) => s.lagP99)).toFixed(1) },
    lag_max_ms: Math.max(...steady.map((s) => +s.lagMax.toFixed(1))),
    lag_mean_ms_avg: +(steady.reduce((a, s) => a + s.lagMean, 0) / Math.max(1, steady.length)).toFixed(2),
  };
}
const last = counts[counts.length - 1] ?? { sent: 0, scored: 0, delivered: 0, elapsed: 0 };
const workerScored = /stopped after scoring (\d+) reading/.exec(readFileSync(worker.logFile, 'utf8'));
summary.counts = {
  sent: sinkAtStop.sent ?? last.sent,
  scored_by_worker: workerScored ? Number(workerScored[1]) : null,
  received_by_flow_sink: sinkAtStop.sink,
  alerts_in_sink: sinkAtStop.alerts,
  scored_topic_end_offsets_with_markers: last.scored,
  readings_per_s: NaN,
};
const steadyFrom = counts.find((row) => row.elapsed >= warmupS);
if (steadyFrom && last.elapsed > steadyFrom.elapsed) summary.counts.readings_per_s = +((last.sent - steadyFrom.sent) / (last.elapsed - steadyFrom.elapsed)).toFixed(1);
if (failure) summary.failure = failure;
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
writeFileSync(join(out, 'soak.svg'), chart(samples, `Soak: ${minutes} min at ${rate} readings/s (${series} meters)`, [
  { minute: warmupS / 60, label: 'warm-up ends' },
  { minute: historyFullS / 60, label: 'histories full' },
]));
console.log(JSON.stringify(summary, null, 2));
log(`plot: ${join(out, 'soak.svg')}`);
process.exit(failure ? 1 : 0);

/** Stacked panels (RSS, heap used, heap after a full GC, event-loop lag p99) over minutes, a line per process; `marks` are dashed verticals. */
function chart(bySeries, title, marks) {
  const width = 900;
  const panelHeight = 220;
  const left = 70;
  const right = 20;
  const top = 40;
  const gap = 50;
  const colours = { 'node-red': '#8f0000', worker: '#1f5fbf' };
  const panels = [
    { label: 'RSS (MB)', value: (s) => mb(s.rss) },
    { label: 'heap used (MB)', value: (s) => mb(s.heapUsed) },
    { label: 'heap used after the latest full GC (MB)', value: (s) => (s.heapAfterGc === null ? null : mb(s.heapAfterGc)) },
    { label: 'event-loop lag p99 (ms)', value: (s) => s.lagP99 },
  ];
  const all = Object.values(bySeries).flat();
  const maxX = Math.max(1, ...all.map((s) => s.elapsed / 60));
  const height = top + panels.length * (panelHeight + gap);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`, `<text x="${left}" y="22" font-size="15">${title}</text>`];
  panels.forEach((panel, index) => {
    const y0 = top + index * (panelHeight + gap);
    const maxY = Math.max(1, ...all.map(panel.value).filter((v) => v !== null)) * 1.1;
    const px = (minute) => left + (minute / maxX) * (width - left - right);
    const py = (value) => y0 + panelHeight - (value / maxY) * panelHeight;
    parts.push(`<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panelHeight}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${left}" y="${y0 - 6}">${panel.label}</text>`);
    for (let i = 0; i <= 4; i += 1) {
      const value = (maxY * i) / 4;
      parts.push(`<line x1="${left}" x2="${width - right}" y1="${py(value)}" y2="${py(value)}" stroke="#eee"/><text x="${left - 6}" y="${py(value) + 4}" text-anchor="end">${value.toFixed(value < 10 ? 1 : 0)}</text>`);
      const minute = (maxX * i) / 4;
      parts.push(`<text x="${px(minute)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${minute.toFixed(0)} min</text>`);
    }
    for (const mark of marks) {
      if (mark.minute > maxX) continue;
      parts.push(`<line x1="${px(mark.minute)}" x2="${px(mark.minute)}" y1="${y0}" y2="${y0 + panelHeight}" stroke="#888" stroke-dasharray="4 3"/>`);
      if (index === 0) parts.push(`<text x="${px(mark.minute) + 3}" y="${y0 + 12}" fill="#666">${mark.label}</text>`);
    }
    for (const [name, list] of Object.entries(bySeries)) {
      const points = list.filter((s) => panel.value(s) !== null).map((s) => `${px(s.elapsed / 60).toFixed(1)},${py(panel.value(s)).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${colours[name] ?? 'black'}" stroke-width="1.5" points="${points}"/>`);
    }
  });
  Object.keys(bySeries).forEach((name, i) => parts.push(`<text x="${width - right - 160 + i * 80}" y="22" fill="${colours[name] ?? 'black'}">■ ${name}</text>`));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
