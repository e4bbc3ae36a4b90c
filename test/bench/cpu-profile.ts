// Summarises a V8 CPU profile (`node --cpu-prof`'s .cpuprofile, or the inspector's Profiler.stop):
// where the time went, by area (kafkajs, Node-RED's runtime, this plugin's nodes, core, GC, idle),
// by file and by function, as self time (the sampled frame itself) and inclusive time (the frame
// anywhere on the stack, each sample counted once).
//   node dist/test/bench/cpu-profile.js FILE.cpuprofile [--top 30] [--match REGEX ...] [--by-time]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; positionTicks?: Array<{ line: number; ticks: number }> }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Frame {
  /** name@file:line, the function's identity. */
  key: string;
  file: string;
  area: string;
  parent: number | undefined;
}

/** A file's short name: from the package (node_modules/…) or the build output (dist/…). */
export function shortFile(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.lastIndexOf('/dist/');
  if (dist >= 0) return path.slice(dist + '/dist/'.length);
  const bench = path.indexOf('/bench-nodes/');
  if (bench >= 0) return path.slice(bench + 1);
  return path;
}

export function areaOf(functionName: string, file: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (waiting on I/O)';
  if (functionName === '(program)') return '(program: V8/native, unattributed)';
  if (functionName === '(root)') return '(root)';
  if (file.startsWith('kafkajs/')) return 'kafkajs';
  if (file.startsWith('@node-red/runtime/')) return 'Node-RED runtime';
  if (file.startsWith('@node-red/util/')) return 'Node-RED util (hooks, ids, clone, log)';
  if (file.startsWith('@node-red/') || file.startsWith('node-red/')) return 'Node-RED other';
  if (file === 'nodes/shared/kafka-flow-completion.js') return 'plugin: FlowCompletion (kafka-flow-completion)';
  if (file.startsWith('nodes/smarts-kafka-in/')) return 'plugin: smarts-kafka-in';
  if (file.startsWith('nodes/smarts-anomaly/')) return 'plugin: smarts-anomaly';
  if (file.startsWith('nodes/')) return 'plugin: other nodes/';
  if (file.startsWith('core/kafka/')) return 'core/kafka';
  if (file.startsWith('core/avro/')) return 'core/avro (decode)';
  if (file.startsWith('core/anomaly/') || file.startsWith('core/model') || file.startsWith('core/reading')) return 'core: reading + anomaly scoring';
  if (file.startsWith('core/')) return `core/${file.split('/')[1] ?? ''}`;
  if (file.startsWith('test/') || file.startsWith('bench-nodes/')) return 'bench itself';
  if (file.startsWith('node:')) return 'Node.js internals';
  if (file === '') return 'native (builtins)';
  return 'other packages';
}

function frames(profile: CpuProfile): Map<number, Frame> {
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const result = new Map<number, Frame>();
  for (const node of profile.nodes) {
    const file = shortFile(node.callFrame.url);
    const name = node.callFrame.functionName || '(anonymous)';
    result.set(node.id, { key: `${name} ${file}${file ? `:${node.callFrame.lineNumber + 1}` : ''}`, file, area: areaOf(name, file), parent: parents.get(node.id) });
  }
  return result;
}

/**
 * Microseconds per sample. By default every sample weighs the same (the window's length over the
 * number of samples): on a loaded machine the gaps between samples stretch whenever the process
 * or the sampler is not scheduled, and a gap says nothing about the frame sampled before it.
 * `byTime` weighs each sample by the time until the next one instead, as DevTools does.
 */
function sampleTimes(profile: CpuProfile, byTime: boolean): number[] {
  const deltas = profile.timeDeltas;
  if (byTime) return profile.samples.map((_, i) => Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0));
  const total = deltas.reduce((sum, delta) => sum + Math.max(0, delta), 0);
  const each = profile.samples.length > 0 ? total / profile.samples.length : 0;
  return profile.samples.map(() => each);
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

export interface Summary {
  totalUs: number;
  busyUs: number;
  samples: number;
  /** Self time by source line of the compiled nodes/ and core/ (from the profile's position ticks). */
  lines: Map<string, number>;
  self: { area: Map<string, number>; file: Map<string, number>; fn: Map<string, number> };
  inclusive: { area: Map<string, number>; file: Map<string, number>; fn: Map<string, number> };
}

export function summarise(profile: CpuProfile, options: { byTime?: boolean } = {}): Summary {
  const byId = frames(profile);
  const times = sampleTimes(profile, options.byTime === true);
  const self = { area: new Map<string, number>(), file: new Map<string, number>(), fn: new Map<string, number>() };
  const inclusive = { area: new Map<string, number>(), file: new Map<string, number>(), fn: new Map<string, number>() };
  // Per sampled node, the distinct areas, files and functions on its stack (memoised: samples repeat nodes).
  const stacks = new Map<number, { area: Set<string>; file: Set<string>; fn: Set<string> }>();
  const stackOf = (id: number): { area: Set<string>; file: Set<string>; fn: Set<string> } => {
    let stack = stacks.get(id);
    if (stack) return stack;
    const frame = byId.get(id) as Frame;
    const above = frame.parent === undefined ? undefined : stackOf(frame.parent);
    stack = { area: new Set(above?.area), file: new Set(above?.file), fn: new Set(above?.fn) };
    stack.area.add(frame.area);
    if (frame.file) stack.file.add(frame.file);
    stack.fn.add(frame.key);
    stacks.set(id, stack);
    return stack;
  };
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    const us = times[i] as number;
    const frame = byId.get(id) as Frame;
    totalUs += us;
    if (frame.area.startsWith('idle')) idleUs += us;
    add(self.area, frame.area, us);
    add(self.file, frame.file || frame.area, us);
    add(self.fn, frame.key, us);
    const stack = stackOf(id);
    for (const area of stack.area) add(inclusive.area, area, us);
    for (const file of stack.file) add(inclusive.file, file, us);
    for (const fn of stack.fn) add(inclusive.fn, fn, us);
  });
  const lines = new Map<string, number>();
  const perTick = profile.samples.length > 0 ? totalUs / profile.samples.length : 0;
  for (const node of profile.nodes) {
    const file = shortFile(node.callFrame.url);
    if (!file.startsWith('nodes/') && !file.startsWith('core/')) continue;
    for (const tick of node.positionTicks ?? []) add(lines, `${file}:${tick.line}`, tick.ticks * perTick);
  }
  return { totalUs, busyUs: totalUs - idleUs, samples: profile.samples.length, lines, self, inclusive };
}

function rows(map: Map<string, number>, totalUs: number, busyUs: number, top: number, match?: RegExp): string[] {
  return [...map.entries()]
    .filter(([key]) => !match || match.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}

export function formatSummary(summary: Summary, options: { top?: number; match?: RegExp[] } = {}): string {
  const top = options.top ?? 25;
  const { totalUs, busyUs } = summary;
  const header = '   all    busy      time';
  const section = (title: string, lines: string[]): string => [`\n${title}`, header, ...lines].join('\n');
  const out = [`profile: ${summary.samples} samples over ${(totalUs / 1000).toFixed(0)} ms, ${(busyUs / 1000).toFixed(0)} ms busy (${((100 * busyUs) / totalUs).toFixed(1)} %); "busy" leaves out idle`];
  out.push(section('self time by area', rows(summary.self.area, totalUs, busyUs, 40)));
  out.push(section('inclusive time by area (on the stack anywhere)', rows(summary.inclusive.area, totalUs, busyUs, 40)));
  out.push(section(`self time by file (top ${top})`, rows(summary.self.file, totalUs, busyUs, top)));
  out.push(section(`self time by function (top ${top})`, rows(summary.self.fn, totalUs, busyUs, top)));
  out.push(section(`inclusive time by function (top ${top})`, rows(summary.inclusive.fn, totalUs, busyUs, top)));
  out.push(section(`self time by line of the compiled nodes/ and core/ (top ${top})`, rows(summary.lines, totalUs, busyUs, top)));
  for (const match of options.match ?? []) out.push(section(`inclusive time, functions matching ${match}`, rows(summary.inclusive.fn, totalUs, busyUs, top, match)));
  return out.join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, match: { type: 'string', multiple: true, default: [] }, 'by-time': { type: 'boolean', default: false } } });
  if (positionals.length !== 1) {
    console.error('usage: node dist/test/bench/cpu-profile.js FILE.cpuprofile [--top N] [--match REGEX ...] [--by-time]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(positionals[0] as string, 'utf8')) as CpuProfile;
  console.log(formatSummary(summarise(profile, { byTime: values['by-time'] }), { top: Number(values.top), match: values.match.map((text) => new RegExp(text)) }));
}
