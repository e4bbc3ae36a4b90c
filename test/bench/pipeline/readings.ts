import { parseArgs } from 'node:util';
import { hourMs } from '../../../core/units';

/** What one `npm run bench pipeline` run measures: the same N readings for every stage. */
export interface PipelineBenchOptions {
  count: number;
  partitions: number;
  meters: number;
  /** Messages in flight at once, for the worker and for the kafka-in node alike (default: the worker's, 4096). */
  inFlight: number;
  /** Where to write a CPU profile of the node path's timed window (summarised after the table). */
  profile?: string;
}

export function benchOptions(argv: string[]): PipelineBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '20000' },
      partitions: { type: 'string', default: '4' },
      meters: { type: 'string', default: '50' },
      'in-flight': { type: 'string', default: '4096' },
      profile: { type: 'string' },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${text}`);
    return value;
  };
  return {
    count: positive('count', values.count),
    partitions: positive('partitions', values.partitions),
    meters: positive('meters', values.meters),
    inFlight: positive('in-flight', values['in-flight']),
    profile: values.profile,
  };
}

/** Hourly energy readings of `meters` meters, round-robin, keyed by meter (so each keeps its order in one partition). */
export function readingMessages(count: number, meters: number): Array<{ key: string; value: string }> {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const entity = `sensor.bench_${i % meters}`;
    const hour = Math.floor(i / meters);
    const reading = { entity_id: entity, ts: start + hour * hourMs, value: 0.2 + (hour % 24) / 30, unit: 'kWh', kind: 'energy', hour: hour % 24, interval_s: 3600 };
    return { key: entity, value: JSON.stringify(reading) };
  });
}

/** Resolves once `condition` holds, checking every few milliseconds (timings need finer steps than the tests' waitFor). */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
