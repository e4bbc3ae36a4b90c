/**
 * npm run bench scale [-- --series N --hours H]: what one worker's scorer costs per home at scale.
 * A real home's state (120 days of hourly history, its own trained model) is checkpointed once;
 * N homes are then restored from those bytes as the worker restores them from the changelog,
 * each scored H more hours in hour-major order (as a worker sees a fleet of hourly meters).
 * Prints: changelog bytes per series, restore rate, heap per series, readings/s, and what a
 * weekly retrain of every home costs in cores. Measures; asserts nothing.
 */
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { AnomalyService } from '../../core/anomaly/scoring/service';
import { decodeState, encodeState } from '../../core/state/series-state';
import type { Reading } from '../../core/reading';
import { hourMs } from '../../core/units';
import { home, repoRoot, uciHome } from '../unit/core/anomaly/fixtures';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const seriesCount = flag('--series', 100_000);
const scoredHours = flag('--hours', 3);
const historyDays = 120;
const weekS = 7 * 86_400;

/** JS heap plus the typed arrays' backing stores (the history columns live outside the heap). */
function gcHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function service(): AnomalyService {
  return new AnomalyService({ modelDir: join(repoRoot, 'models'), save: false, logger: { info: () => undefined, warn: () => undefined } });
}

function readingOf(entityId: string, ts: number, kwh: number): Reading {
  return { entity_id: entityId, ts, value: kwh, unit: 'kWh', kind: 'energy', hour: new Date(ts).getUTCHours(), interval_s: 3600 };
}

async function templateState(): Promise<{ bytes: Buffer; trainMs: number; nextTs: number; tail: number[] }> {
  const rows = home(uciHome, historyDays + 30).rows.filter((row) => !row.artefact);
  const history = rows.slice(0, historyDays * 24).map((row) => readingOf('sensor.template_energy', row.ts, row.value));
  const tail = rows.slice(historyDays * 24, historyDays * 24 + 24 * 30).map((row) => row.value);
  const first = service();
  const started = performance.now();
  await first.train(history);
  const trainMs = performance.now() - started;
  const lastTs = (history.at(-1) as Reading).ts;
  // a day scored after training, so the scorer's drift and CUSUM state are part of the snapshot
  for (let h = 1; h <= 24; h += 1) await first.score([readingOf('sensor.template_energy', lastTs + h * hourMs, tail[h % tail.length] as number)]);
  const state = first.snapshotSeries('sensor.template_energy');
  if (!state) throw new Error('the template series has no state');
  return { bytes: encodeState(state), trainMs, nextTs: lastTs + 25 * hourMs, tail };
}

async function benchmark(): Promise<void> {
  console.log(`cores: ${cpus().length}; series: ${seriesCount.toLocaleString('en-US')}; ${historyDays} days of hourly history each`);
  const template = await templateState();
  console.log(`train one home (${historyDays * 24} hourly points, own model): ${(template.trainMs / 1000).toFixed(2)} s`);
  console.log(`changelog state per series: ${(template.bytes.length / 1024).toFixed(1)} KiB (JSON with the history columns and model weights as base64); gzip: ${(gzipSync(template.bytes).length / 1024).toFixed(1)} KiB`);

  const fleet = service();
  const before = gcHeap();
  const restoreStarted = performance.now();
  const text = template.bytes.toString();
  const ids: string[] = [];
  for (let i = 0; i < seriesCount; i += 1) {
    const id = `sensor.home_${i.toString(36)}_energy`;
    ids.push(id);
    const state = decodeState(text);
    state.entityId = id;
    fleet.restoreSeries(state);
  }
  // the first reading opens each series and applies its restored state
  for (let i = 0; i < seriesCount; i += 1) await fleet.ensure(readingOf(ids[i] as string, template.nextTs, 0));
  const restoreS = (performance.now() - restoreStarted) / 1000;
  console.log(`restore ${seriesCount.toLocaleString('en-US')} series from changelog bytes: ${restoreS.toFixed(1)} s = ${Math.round(seriesCount / restoreS).toLocaleString('en-US')} series/s`);
  const loaded = gcHeap();
  console.log(`memory per series (heap + array buffers, restored, not yet scored): ${((loaded - before) / seriesCount / 1024).toFixed(1)} KiB; in all ${mib(loaded)}, rss ${mib(process.memoryUsage().rss)}`);

  const scoreStarted = performance.now();
  let scored = 0;
  let alerts = 0;
  for (let h = 0; h < scoredHours; h += 1) {
    const ts = template.nextTs + h * hourMs;
    for (let i = 0; i < seriesCount; i += 1) {
      const kwh = (template.tail[(h + i) % template.tail.length] as number) * (0.8 + (i % 5) * 0.1);
      const [result] = await fleet.score([readingOf(ids[i] as string, ts, kwh)]);
      scored += 1;
      if ((result?.score ?? 0) > 1) alerts += 1;
    }
  }
  const scoreS = (performance.now() - scoreStarted) / 1000;
  console.log(`score ${scored.toLocaleString('en-US')} readings (${scoredHours} hours of every home): ${Math.round(scored / scoreS).toLocaleString('en-US')} readings/s on one core (${alerts} over 1)`);
  const after = gcHeap();
  console.log(`memory per series (after scoring): ${((after - before) / seriesCount / 1024).toFixed(1)} KiB; in all ${mib(after)}, rss ${mib(process.memoryUsage().rss)}`);

  const weeklyCoreS = (template.trainMs / 1000) * seriesCount;
  console.log(`weekly retrain of ${seriesCount.toLocaleString('en-US')} homes: ${(weeklyCoreS / 3600).toFixed(1)} core-hours a week = ${(weeklyCoreS / weekS).toFixed(2)} cores busy all week`);
  const hourlyReadings = seriesCount / 3600;
  console.log(`scoring ${seriesCount.toLocaleString('en-US')} hourly meters: ${hourlyReadings.toFixed(0)} readings/s needed = ${((hourlyReadings / (scored / scoreS)) * 100).toFixed(2)}% of one core`);
}

benchmark().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
