/**
 * npm run bench general: the general streaming detector (kind other: temperatures, power, any
 * numeric sensor). Its core step alone, then whole readings through the AnomalyService as the
 * anomaly node and the worker score them, and memory per series. Prints figures only.
 * Flags: --readings N (core run, default 500,000), --series N (service run, default 1,000).
 */
import { join } from 'node:path';
import { GeneralCore } from '../../core/anomaly/general/general-core';
import { AnomalyService } from '../../core/anomaly/scoring/service';
import type { Reading } from '../../core/reading';

const fiveMinutesMs = 300_000;
const start = Date.UTC(2026, 0, 1);

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

/** A freezer: −18 °C with a daily swing, noise, a defrost every 8 hours. */
function freezer(i: number, phase: number): number {
  const ts = start + i * fiveMinutesMs;
  const day = Math.sin(((ts / 3_600_000 + phase) / 24) * 2 * Math.PI);
  const defrost = i % 96 < 3 ? 6 : 0;
  const noise = Math.sin(i * 12.9898 + phase * 78.233) * 0.4;
  return -18 + day * 0.8 + defrost + noise;
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

function heapMiB(): number {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 1024 / 1024;
}

function coreRun(count: number): void {
  const core = new GeneralCore();
  let flagged = 0;
  const began = performance.now();
  for (let i = 0; i < count; i += 1) {
    if (core.step(start + i * fiveMinutesMs, freezer(i, 0)).score > 1) flagged += 1;
  }
  const ms = performance.now() - began;
  console.log(`core step, one series of 5-minute readings: ${count.toLocaleString('en-US')} in ${(ms / 1000).toFixed(2)} s = ${rate(count, ms)} (${flagged} scored above 1)`);
}

async function serviceRun(seriesCount: number): Promise<void> {
  const service = new AnomalyService({ modelDir: join(process.env.STREAM_SMARTS_ROOT ?? process.cwd(), 'models'), save: false, keepRecent: false, logger: { info: () => undefined, warn: () => undefined } });
  const perSeries = 288;
  const before = heapMiB();
  const began = performance.now();
  let scored = 0;
  for (let i = 0; i < perSeries; i += 1) {
    const batch: Reading[] = [];
    for (let s = 0; s < seriesCount; s += 1) {
      batch.push({ entity_id: `sensor.freezer_${s}`, ts: start + i * fiveMinutesMs, value: freezer(i, s), unit: '°C', kind: 'other', hour: 0, interval_s: 300 });
    }
    scored += (await service.score(batch)).length;
  }
  const ms = performance.now() - began;
  const perSeriesKiB = ((heapMiB() - before) * 1024) / seriesCount;
  console.log(`service, ${seriesCount.toLocaleString('en-US')} series × one day of 5-minute readings: ${scored.toLocaleString('en-US')} in ${(ms / 1000).toFixed(2)} s = ${rate(scored, ms)}`);
  console.log(`memory per general series (history window and detector state): ${perSeriesKiB.toFixed(1)} KiB`);
}

async function benchmark(): Promise<void> {
  coreRun(flag('readings', 500_000));
  await serviceRun(flag('series', 1000));
}

benchmark().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
