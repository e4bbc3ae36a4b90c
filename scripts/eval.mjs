#!/usr/bin/env node
// npm run eval: the real homes of test/data/homes (or STREAM_SMARTS_DATA) with anomalies injected
// at recorded places, scored online at score > 1 by the product and by baselines, side by side.
// Options: --quick (first 150 days per home, for tests), --no-build, --json FILE, --report FILE (markdown),
// --only NAME (homes whose file name contains NAME), --product-only, --detector PREFIX (detectors whose name starts so), --no-ae, --fit JSON (fit options to try),
// --retrain-days N (product retrain interval in data time, default 7; the node's default is 1),
// --seed S (event placement seed set, default 1; tune on 1-2, report on a held-out 3),
// --known-timing (adds a reference that knows each event type's hours: how separable the events are at all),
// --feedback (adds the product with a household that answers every alert: expected / investigate),
// --sensitivity high|normal|low (the product's setting; default normal: the node's default),
// --curve T1,T2,... (more thresholds to count the product's scores at, besides the other sensitivities).
// --general: the general detector (kind other) on labelled public streams instead (scripts/eval-general.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--general')) {
  const general = spawnSync(process.execPath, [join(root, 'scripts', 'eval-general.mjs'), ...args.filter((arg) => arg !== '--general')], { stdio: 'inherit' });
  process.exit(general.status ?? 1);
}
const quick = args.includes('--quick');
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
const evaluation = require(join(dist, 'core', 'anomaly', 'evaluation', 'index.js'));
const seriesFile = require(join(dist, 'core', 'anomaly', 'series-file.js'));

const dataDir = process.env.STREAM_SMARTS_DATA ?? join(root, 'test', 'data', 'homes');
if (!existsSync(dataDir)) {
  console.error(`eval: no data directory ${dataDir} (set STREAM_SMARTS_DATA)`);
  process.exit(2);
}
const only = flag('--only');
const files = readdirSync(dataDir).filter((name) => name.endsWith('.csv') && (!only || name.includes(only))).sort();
const dayMs = 86_400_000;
const learnDays = 28;
const started = Date.now();
const results = [];
const allEvents = [];
const sensitivityModule = require(join(dist, 'core', 'anomaly', 'scoring', 'sensitivity.js'));
const sensitivity = sensitivityModule.parseSensitivity(flag('--sensitivity'));
const factors = sensitivityModule.sensitivityThreshold;
// the other settings' thresholds relative to the one run: the sensitivity only divides the score
const settingThresholds = Object.fromEntries(sensitivityModule.sensitivities.map((name) => [name, factors[name] / factors[sensitivity]]));
// the product's scores against other thresholds too: the other sensitivity settings, and more points of the curve
const curveThresholds = [...new Set([...Object.values(settingThresholds), ...(flag('--curve') ?? '').split(',').filter(Boolean).map(Number)])].filter((value) => value > 0 && value !== 1);
const curve = [];

for (const [homeIndex, file] of files.entries()) {
  const home = file.replace(/\.csv$/, '');
  const parsed = seriesFile.parseSeriesCsv(readFileSync(join(dataDir, file), 'utf8'));
  let rows = parsed.rows;
  if (quick) rows = rows.filter((row) => row.ts < rows[0].ts + 150 * dayMs);
  const testFrom = rows[0].ts + (learnDays + 7) * dayMs;
  const seedSet = Number(flag('--seed') ?? 1);
  const events = evaluation.planEvents(testFrom, rows[rows.length - 1].ts, 1000 * seedSet + homeIndex);
  const injected = evaluation.injectEvents(rows, events, parsed.intervalS);
  for (const event of events) allEvents.push({ home, ...event, start: new Date(event.start).toISOString(), end: new Date(event.end).toISOString() });
  const fit = flag('--fit') ? JSON.parse(flag('--fit')) : {};
  const retrainDays = Number(flag('--retrain-days') ?? 7);
  const detectors = [
    evaluation.productDetector('product (autoencoder + profile + persistence + CUSUM + drift)', parsed.intervalS, { learnDays, retrainDays, fit, sensitivity, trainOnFlagged: args.includes('--train-on-flagged') }),
    evaluation.productDetector('product without autoencoder', parsed.intervalS, { learnDays, retrainDays, withoutAutoencoder: true, fit, sensitivity, trainOnFlagged: args.includes('--train-on-flagged') }),
    evaluation.hourProfileBaseline(),
    evaluation.windowedGaussianBaseline(),
    evaluation.hourOfWeekMadBaseline(),
    ...(args.includes('--known-timing') ? [evaluation.knownTimingReference(parsed.intervalS)] : []),
    ...(args.includes('--feedback')
      ? [evaluation.productDetector('product, household answers every alert', parsed.intervalS, { learnDays, retrainDays, fit, sensitivity, answers: events })]
      : []),
  ].filter((detector) => !args.includes('--product-only') || detector.name.startsWith('product'))
    .filter((detector) => !flag('--detector') || detector.name.startsWith(flag('--detector')))
    .filter((detector) => !args.includes('--no-ae') || !detector.name.includes('autoencoder +'));
  for (const detector of detectors) {
    const t0 = Date.now();
    const scored = await evaluation.scoreSeries(injected, detector, testFrom);
    const last = injected[injected.length - 1].ts;
    const result = evaluation.countAlarms(home, detector.name, scored, events, testFrom, last, 1);
    result.seconds = (Date.now() - t0) / 1000;
    results.push(result);
    if (detector.name.startsWith('product') || detector.name.startsWith('known-timing')) {
      for (const threshold of curveThresholds) curve.push({ threshold, ...evaluation.countAlarms(home, detector.name, scored, events, testFrom, last, threshold) });
    }
    process.stderr.write(`eval: ${home} ${detector.name}: ${result.detected}/${result.events} events, ${result.falseAlarms} false alarms in ${result.weeks.toFixed(1)} weeks (${result.seconds.toFixed(1)} s)\n`);
  }
}

const pct = (a, b) => (b > 0 ? (a / b).toFixed(2) : '-');
const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const names = [...new Set(results.map((r) => r.detector))];
const types = ['overnight', 'heater-day', 'spike', 'always-on'];
const lines = [];
lines.push(`Eval: ${files.length} homes (${files.join(', ')})${quick ? ', quick (150 days each)' : ''}; ${allEvents.length} injected events (seed set ${flag('--seed') ?? 1}); threshold score > 1; product sensitivity ${sensitivity}`);
lines.push('');
lines.push(`| detector | recall | ${types.join(' | ')} | false alarms / home / week | per home / month | median delay h |`);
lines.push(`|---|---|${types.map(() => '---').join('|')}|---|---|---|`);
for (const name of names) {
  const rs = results.filter((r) => r.detector === name);
  const events = rs.reduce((s, r) => s + r.events, 0);
  const detected = rs.reduce((s, r) => s + r.detected, 0);
  const fa = rs.reduce((s, r) => s + r.falseAlarms, 0);
  const weeks = rs.reduce((s, r) => s + r.weeks, 0);
  const perType = types.map((t) => pct(rs.reduce((s, r) => s + r.byType[t].detected, 0), rs.reduce((s, r) => s + r.byType[t].events, 0)));
  const delay = median(rs.flatMap((r) => r.delaysHours));
  lines.push(`| ${name} | ${pct(detected, events)} | ${perType.join(' | ')} | ${(fa / weeks).toFixed(2)} | ${((fa / weeks) * 4.345).toFixed(2)} | ${Number.isNaN(delay) ? '-' : delay.toFixed(1)} |`);
}
if (curve.length > 0) {
  lines.push('');
  lines.push(`The product's scores against other thresholds, same run (relative to sensitivity ${sensitivity}; ${Object.entries(settingThresholds).map(([name, value]) => `${name} = ${+value.toFixed(3)}`).join(', ')}):`);
  lines.push('');
  lines.push(`| detector | threshold | recall | ${types.join(' | ')} | false alarms / home / month |`);
  lines.push(`|---|---|---|${types.map(() => '---').join('|')}|---|`);
  const settingOf = (threshold) => Object.entries(settingThresholds).find(([, value]) => Math.abs(value - threshold) < 1e-9)?.[0];
  for (const name of names.filter((n) => n.startsWith('product') || n.startsWith('known-timing'))) {
    for (const threshold of [1, ...curveThresholds].sort((a, b) => a - b)) {
      const rs = threshold === 1 ? results.filter((r) => r.detector === name) : curve.filter((r) => r.detector === name && r.threshold === threshold);
      const events = rs.reduce((s, r) => s + r.events, 0);
      const weeks = rs.reduce((s, r) => s + r.weeks, 0);
      const fa = rs.reduce((s, r) => s + r.falseAlarms, 0);
      const perType = types.map((t) => pct(rs.reduce((s, r) => s + r.byType[t].detected, 0), rs.reduce((s, r) => s + r.byType[t].events, 0)));
      const setting = name.startsWith('product') ? settingOf(threshold) : undefined;
      lines.push(`| ${name} | ${+threshold.toFixed(3)}${setting ? ` (${setting})` : ''} | ${pct(rs.reduce((s, r) => s + r.detected, 0), events)} | ${perType.join(' | ')} | ${((fa / weeks) * 4.345).toFixed(2)} |`);
    }
  }
}
lines.push('');
lines.push('| home | detector | events | detected | false alarms | weeks |');
lines.push('|---|---|---|---|---|---|');
for (const r of results) lines.push(`| ${r.home} | ${r.detector} | ${r.events} | ${r.detected} | ${r.falseAlarms} | ${r.weeks.toFixed(1)} |`);
lines.push('');
lines.push(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
console.log(lines.join('\n'));
const reportOut = flag('--report');
if (reportOut) writeFileSync(reportOut, `${lines.join('\n')}\n`);
const jsonOut = flag('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ quick, results, curve, events: allEvents }, null, 1));
